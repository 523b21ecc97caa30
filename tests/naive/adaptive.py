"""Slow, obviously correct references for the strongly adaptive learners and trackers.

Runs are kept in a dict keyed by interval start, weights in plain floats where they cannot
overflow at test sizes, and the interval regret is computed by brute force over every window.
"""

import math

import numpy as np

from tests.naive.exp3 import inverse_cdf


def softmax(losses, eta):
    weights = np.exp(-eta * (losses - losses.min()))
    return weights / weights.sum()


def geometric_starts(t: int, n_levels: int):
    """(level, length) of the geometric covering runs that start at round ``t`` (1-based)."""
    return [(k, 2**k) for k in range(n_levels) if t % 2**k == 0]


def meta_run(losses, rng, meta: str, base_eta, n_levels: int):
    """SAOL (``meta="saol"``) or CBCE (``"cbce"``, prior over start times) over Hedge runs on the
    geometric covering intervals; returns actions and played distributions."""
    horizon, n = losses.shape
    runs = {}  # level -> dict(start, end, L, log_w or KT stats)
    actions, played = [], []
    for t in range(1, horizon + 1):
        for level, length in geometric_starts(t, n_levels):
            run = {
                "start": t,
                "end": t + length - 1,
                "L": np.zeros(n),
                "rate": min(0.5, 1 / math.sqrt(length)),
            }
            run["log_w"] = math.log(run["rate"])
            run["sum"], run["count"], run["wealth"] = 0.0, 0.0, 1.0
            run["prior"] = 1.0 / (t**2 * (1 + math.floor(math.log2(t))))
            runs[level] = run
        awake = {k: r for k, r in runs.items() if r["start"] <= t <= r["end"]}
        x_run = {k: softmax(r["L"], base_eta[k]) for k, r in awake.items()}
        if meta == "saol":
            scores = {k: math.exp(r["log_w"]) for k, r in awake.items()}
        else:
            scores = {}
            for k, r in awake.items():
                beta = r["sum"] / (1 + r["count"])
                scores[k] = r["prior"] * max(beta, 0.0) * r["wealth"]
            if sum(scores.values()) == 0:
                scores = {k: r["prior"] for k, r in awake.items()}
        total = sum(scores.values())
        x = sum(scores[k] / total * x_run[k] for k in awake)
        actions.append(inverse_cdf(x, rng.random()))
        played.append(x)
        row = losses[t - 1]
        meta_loss = x @ row
        for k, r in awake.items():
            regret = meta_loss - x_run[k] @ row
            regret = 0.0 if abs(regret) <= 1e-12 else regret  # rounding noise, as in the kernel
            if meta == "saol":
                r["log_w"] += math.log1p(r["rate"] * regret)
            else:
                beta = r["sum"] / (1 + r["count"])
                outcome = regret if beta > 0 else max(regret, 0.0)
                r["wealth"] *= 1 + outcome * beta
                r["sum"] += outcome
                r["count"] += 1
            r["L"] = r["L"] + row
    return np.array(actions), np.array(played)


def fixed_share_run(losses, rng, eta, alpha):
    """Fixed Share on a full-information table; returns actions and distributions."""
    horizon, n = losses.shape
    w = np.full(n, 1.0 / n)
    actions, played = [], []
    for t in range(horizon):
        actions.append(inverse_cdf(w, rng.random()))
        played.append(w.copy())
        v = w * np.exp(-eta * losses[t])
        v /= v.sum()
        w = (1 - alpha) * v + alpha / n
    return np.array(actions), np.array(played)


def stabl_run(losses, rng, eta, gamma, n_levels):
    """StABL (reconstruction) on a loss table: actions (played, observed) and played distributions."""
    horizon, n = losses.shape
    runs = {}
    queries, played = [], []
    for t in range(1, horizon + 1):
        for level, length in geometric_starts(t, n_levels):
            runs[level] = {
                "start": t,
                "end": t + length - 1,
                "L": np.zeros(n),
                "log_w": math.log(gamma[level]),
            }
        awake = {k: r for k, r in runs.items() if r["start"] <= t <= r["end"]}
        x_run = {k: softmax(r["L"], eta[k]) for k, r in awake.items()}
        weights = {k: math.exp(r["log_w"]) for k, r in awake.items()}
        total = sum(weights.values())
        x = sum(weights[k] / total * x_run[k] for k in awake)
        q = sum(x_run[k] for k in awake) / len(awake)
        a = inverse_cdf(x, rng.random())
        b = inverse_cdf(q, rng.random())
        queries.append((a, b))
        played.append(x)
        estimate = np.zeros(n)
        estimate[b] = losses[t - 1, b] / q[b]
        meta_loss = x @ estimate
        for k, r in awake.items():
            factor = max(gamma[k] * (meta_loss - x_run[k] @ estimate), -0.5)
            r["log_w"] += math.log1p(factor)
            r["L"] = r["L"] + estimate
    return np.array(queries), np.array(played)


def worst_interval_regret(learner_losses, action_losses, length):
    """``max_{|I| = length} sum_I learner - min_a sum_I action_losses[:, a]`` by brute force."""
    horizon = len(learner_losses)
    worst = -np.inf
    for start in range(horizon - length + 1):
        window = slice(start, start + length)
        worst = max(worst, learner_losses[window].sum() - action_losses[window].sum(axis=0).min())
    return worst


def post_switch_regrets(learner_losses, action_losses, switched, length):
    """Regrets of the windows of ``length`` starting where ``switched`` is 1."""
    horizon = len(learner_losses)
    out = []
    for start in range(horizon - length + 1):
        if switched[start]:
            window = slice(start, start + length)
            out.append(learner_losses[window].sum() - action_losses[window].sum(axis=0).min())
    return out


def saol_points_run(xis, radius, gradient_bound, n_levels):
    """SAOL over OGD runs (``eta_k = D / (G sqrt(k))`` at a run's k-th gradient, start at 0) on the
    geometric covering intervals, for the quadratic losses ``1/2 ||x - xi_t||^2`` on the ball of
    ``radius``; every awake run gets the gradient at the played mixture, the meta the regret
    ``<g, x_t - x_t^J> / (G D)``.  Returns the played points."""
    horizon, d = xis.shape
    diameter = 2 * radius
    runs, played = {}, []
    for t in range(1, horizon + 1):
        for level, length in geometric_starts(t, n_levels):
            rate = min(0.5, 1 / math.sqrt(length))
            runs[level] = {"start": t, "end": t + length - 1, "x": np.zeros(d), "k": 0, "rate": rate}
            runs[level]["log_w"] = math.log(rate)
        awake = {k: r for k, r in runs.items() if r["start"] <= t <= r["end"]}
        weights = {k: math.exp(r["log_w"]) for k, r in awake.items()}
        total = sum(weights.values())
        x = sum(weights[k] / total * r["x"] for k, r in awake.items())
        played.append(x)
        g = x - xis[t - 1]
        for r in awake.values():
            regret = g @ (x - r["x"]) / (gradient_bound * diameter)
            regret = 0.0 if abs(regret) <= 1e-12 else min(1.0, max(-1.0, regret))
            r["log_w"] += math.log1p(r["rate"] * regret)
            r["k"] += 1
            y = r["x"] - diameter / gradient_bound / math.sqrt(r["k"]) * g
            norm = np.linalg.norm(y)
            r["x"] = y if norm <= radius else y * radius / norm
    return np.array(played)
