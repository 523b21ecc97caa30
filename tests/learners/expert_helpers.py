"""Specs and feedback for learners over experts (full information), shared by the learner tests."""

import numpy as np

from onlinelearn.core import EnvSpec, Feedback, FeedbackKind


def experts_spec(n, horizon=None, loss_range=(0.0, 1.0)):
    """Full-information spec over ``n`` experts with losses in ``loss_range``."""
    return EnvSpec(FeedbackKind.FULL_INFORMATION, n_actions=n, horizon=horizon, loss_range=loss_range)


def full(losses):
    """The full-information feedback of one round's loss vector."""
    return Feedback(FeedbackKind.FULL_INFORMATION, np.asarray(losses, dtype=float))


def played_distributions(learner, losses, seed):
    """Reset ``learner`` for ``losses`` (rounds x experts) with Generator ``seed``, run it, and return
    its actions and the distributions ``state_.probabilities`` it played from."""
    learner.reset(experts_spec(losses.shape[1], horizon=len(losses)), np.random.default_rng(seed))
    actions, played = [], []
    for row in losses:
        actions.append(learner.act())
        # Meta-learners over composed runs keep the mixture in their sleeping state.
        played.append(getattr(learner, "sleeping_state_", learner.state_).probabilities.copy())
        learner.update(full(row))
    return actions, played
