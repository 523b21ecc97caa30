"""Slow, obviously correct references for SF-OGD and SAOCP on a fixed sequence of scores.

Experts live in a plain list (created every round, deleted when their lifetime ends), wealth is
kept as a float, and the loss of every expert is computed from the true score directly.
"""

import math


def pinball(radius, score, q):
    return max(q * (score - radius), (1 - q) * (radius - score))


def subgradient(radius, score, q):
    return -q if score > radius else (1 - q if score < radius else 0.0)


def sf_ogd_radii(scores, q, max_scale):
    """Radii played by scale-free OGD started at 0."""
    radius, squares, out = 0.0, 0.0, []
    for score in scores:
        out.append(radius)
        g = subgradient(radius, score, q)
        squares += g * g
        if squares > 0:
            radius = min(max_scale, max(0.0, radius - max_scale / math.sqrt(3) * g / math.sqrt(squares)))
    return out


def lifetime(t, g, horizon):
    """``g 2^u(t)`` with ``u(t)`` capped at ``floor(log2 T)`` (as the slots of the library are)."""
    u = 0
    while t % (2 ** (u + 1)) == 0:
        u += 1
    return g * 2 ** min(u, int(math.floor(math.log2(horizon))))


def saocp_radii(scores, q, max_scale, g):
    """Radii played by SAOCP (KT coin betting over SF-OGD experts on data-streaming intervals)."""
    horizon = len(scores)
    scale = max_scale * max(q, 1 - q)
    experts, prediction, out = [], 0.0, []
    for t in range(1, horizon + 1):
        experts = [e for e in experts if t <= e["end"]]
        experts.append(
            {
                "end": t + lifetime(t, g, horizon) - 1,
                "radius": prediction,
                "squares": 0.0,
                "sum": 0.0,
                "count": 0,
                "wealth": 1.0,
                "prior": 1.0 / (t**2 * (1 + math.floor(math.log2(t)))),
            }
        )
        bets = [e["prior"] * max(0.0, e["sum"] / (1 + e["count"]) * e["wealth"]) for e in experts]
        if sum(bets) == 0:
            bets = [e["prior"] for e in experts]
        prediction = sum(b * e["radius"] for b, e in zip(bets, experts, strict=True)) / sum(bets)
        prediction = min(max_scale, max(0.0, prediction))
        out.append(prediction)
        score = scores[t - 1]
        meta_loss = pinball(prediction, score, q)
        for e in experts:
            beta = e["sum"] / (1 + e["count"])
            outcome = (meta_loss - pinball(e["radius"], score, q)) / scale
            outcome = 0.0 if abs(outcome) <= 1e-12 else min(1.0, max(-1.0, outcome))
            if beta <= 0:
                outcome = max(outcome, 0.0)
            e["wealth"] *= 1 + outcome * beta
            e["sum"] += outcome
            e["count"] += 1
            grad = subgradient(e["radius"], score, q)
            e["squares"] += grad * grad
            if e["squares"] > 0:
                step = e["radius"] - max_scale / math.sqrt(3) * grad / math.sqrt(e["squares"])
                e["radius"] = min(max_scale, max(0.0, step))
    return out
