"""Slow, obviously correct followers and a repeated-game loop in NumPy, for equality tests."""

import numpy as np


def ftl_action(cumulative_losses):
    return int(np.argmin(cumulative_losses))  # first index on ties


def ftpl_action(cumulative_losses, eta, rng):
    noise = np.array([rng.random() for _ in range(len(cumulative_losses))]) / eta
    return int(np.argmin(cumulative_losses - noise))


def stationary(Q):
    """Left eigenvector of Q for eigenvalue 1 by least squares on [(Q^T - I); 1^T] p = [0; 1]."""
    n = Q.shape[0]
    system = np.vstack([Q.T - np.eye(n), np.ones((1, n))])
    rhs = np.append(np.zeros(n), 1.0)
    p = np.linalg.lstsq(system, rhs, rcond=None)[0]
    p = np.clip(p, 0, None)
    return p / p.sum()


def blum_mansour_distribution(copy_losses, eta):
    weights = np.exp(-eta * (copy_losses - copy_losses.min(axis=1, keepdims=True)))
    Q = weights / weights.sum(axis=1, keepdims=True)
    return Q, stationary(Q)


def sample(p, u):
    return int(np.searchsorted(np.cumsum(p), u, side="right"))


def play(game, leader_rows, follower, eta=None, rng=None):
    """Follower actions and distributions against a fixed sequence of leader rows.

    ``follower`` is ``"ftl"``, ``"ftpl"``, ``"hedge"`` or ``"blum_mansour"``; losses are
    ``1 - B~`` with ``B~`` the follower's payoffs mapped onto [0, 1].
    """
    B = game.follower_payoffs
    losses = 1.0 - (B - B.min()) / (B.max() - B.min())
    n = B.shape[1]
    cumulative = np.zeros(n)
    copies = np.zeros((n, n))
    actions, strategies = [], []
    for i in leader_rows:
        if follower == "ftl":
            j = ftl_action(cumulative)
            y = np.eye(n)[j]
        elif follower == "ftpl":
            j = ftpl_action(cumulative, eta, rng)
            y = np.eye(n)[j]
        elif follower == "hedge":
            w = np.exp(-eta * (cumulative - cumulative.min()))
            y = w / w.sum()
            j = sample(y, rng.random())
        else:
            _, y = blum_mansour_distribution(copies, eta)
            j = sample(y, rng.random())
            copies += y[:, None] * losses[i][None, :]
        cumulative += losses[i]
        actions.append(j)
        strategies.append(y)
    return np.array(actions), np.array(strategies)


def ftl_leader_average(game, leader_rows):
    """The leader's average payoff against follow-the-leader."""
    actions, _ = play(game, leader_rows, "ftl")
    return game.leader_payoffs[np.asarray(leader_rows), actions].mean()
