"""Shared helpers of the OCO learner tests."""

import numpy as np

import onlinelearn as ol
from onlinelearn.core import EnvSpec, Feedback, FeedbackKind, ball, box, simplex


def gradient_spec(domain="ball", d=2, horizon=None, gradient_bound=1.0, radius=1.0):
    sets = {
        "ball": lambda: ball(d, radius),
        "simplex": lambda: simplex(d),
        "box": lambda: box(-np.ones(d), 2 * np.ones(d)),
    }
    return EnvSpec(
        FeedbackKind.GRADIENT, decision_set=sets[domain](), horizon=horizon, gradient_bound=gradient_bound
    )


def gradient(g, value=0.0):
    return Feedback(FeedbackKind.GRADIENT, np.concatenate([[value], np.asarray(g, dtype=float)]))


def play(learner, spec, gradients, seed=0):
    """Iterates ``x_1..x_T`` of ``learner`` on a fixed gradient sequence (linear losses)."""
    learner.reset(spec, np.random.default_rng(seed))
    out = []
    for g in gradients:
        x = learner.act()
        out.append(np.array(x, copy=True))
        learner.update(gradient(g, float(np.dot(g, x))))
    return np.array(out)


#: Two gradients on the unit disc (G = 1, D = 2) for first rounds computed by hand.
G1, G2 = [0.5, 0.0], [0.0, 1.0]


def first_iterates(learner, spec, gradients):
    """``x_1, ..., x_{n+1}`` of ``learner`` fed the ``n`` ``gradients`` (losses not given)."""
    learner.reset(spec, np.random.default_rng(0))
    out = [learner.act()]
    for g in gradients:
        learner.update(gradient(g))
        out.append(learner.act())
    return out


def mean_plus_3se(result, metric):
    final = result.final(metric)[0, 0]
    return final.mean() + 3 * final.std(ddof=1) / np.sqrt(len(final))


def run_regret(learner, environment, horizon, seed):
    """(mean + 3 SE) of static regret and of pseudo-regret over 20 repetitions."""
    result = ol.run(
        learner,
        environment,
        horizon,
        n_reps=20,
        seed=seed,
        trackers=[ol.trackers.StaticRegret(), ol.trackers.PseudoRegret()],
    )
    return mean_plus_3se(result, "regret"), mean_plus_3se(result, "pseudo_regret")


def assert_bit_identical(learner, environment, horizon=200, n_reps=2, seed=3):
    kwargs = {
        "horizon": horizon,
        "n_reps": n_reps,
        "seed": seed,
        "trackers": [ol.trackers.StaticRegret(), ol.trackers.PseudoRegret()],
    }
    compiled = ol.run(learner, environment, **kwargs)
    python = ol.run(learner, environment, compiled=False, **kwargs)
    assert compiled.compiled.all() and not python.compiled.any()
    for name in compiled.metrics:
        np.testing.assert_array_equal(compiled.metrics[name], python.metrics[name])
