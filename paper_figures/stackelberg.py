"""Playing against no-regret learners: the leader's average payoff against the length T of the game.

Deng, Schneider and Sivan, "Strategizing against no-regret learners" (NeurIPS 2019).  Two leaders,

* "exploit": the two-phase schedule (row 0 for T/2 rounds, then row 1), and
* "commit": the V - epsilon commitment strategy (epsilon = 0.05) of the multiple-LPs solver,

play against four followers, Hedge (eta = 10 / sqrt(T) on payoffs rescaled to [0, 1]),
follow-the-leader, EXP3 (bandit feedback, default tuning) and the Blum-Mansour no-swap-regret
learner (default tuning), on

(a) the DSS game (gamma = 1e-4; V = 0): against FTL and Hedge the exploit earns far more than V
    (1 - sqrt(gamma) = 0.99 against FTL; about 0.9 against Hedge at T = 10^5), against
    Blum-Mansour far less.  EXP3 with its default rate (about sqrt(ln 3 / T)) is mean-based only
    in the limit: exploitation needs eta sqrt(gamma) T >> 1, which fails at these T;
(b) the commitment game (V = 3.5): the follower has two actions, nothing beats V, and
    commitment approaches V - epsilon against every follower.

Each game length T is its own environment (``RepeatedGame(n_rounds=T)``: the follower's tuning
and the schedule's phases are planned for T); all run for the largest T and the average payoff
over the first T rounds is read at checkpoint T, as ``V - pseudo_regret / T`` (the environment's
comparator is the Stackelberg value).  T_max = 10^5, 20 repetitions (``--quick``: T_max = 2000,
10 repetitions); error bars: 95% CI of the mean over repetitions.
"""

from __future__ import annotations

import numpy as np
from onlinelearn.environments.games import RepeatedGame

from onlinelearn.games import commitment_game, dss_game
from onlinelearn.learners.exp3 import EXP3
from onlinelearn.learners.followers import BlumMansour, FollowTheLeader
from onlinelearn.learners.hedge import Hedge
from onlinelearn.learners.leaders import Commitment, two_phase_schedule
from onlinelearn.sim.loops import checkpoint_grid
from paper_figures._common import Experiment, sizes

GAMMA = 1e-4
EPSILON = 0.05
GAMES = {"DSS": dss_game(GAMMA), "commitment": commitment_game()}
TITLES = {
    "DSS": f"(a) DSS game, gamma = {GAMMA:g}, V = 0",
    "commitment": "(b) commitment game, V = 3.5 (two follower actions)",
}
FOLLOWERS = ("Hedge", "FTL", "EXP3", "Blum-Mansour")
#: Game lengths as fractions of T_max (snapped to the checkpoint grid).
FRACTIONS = (0.01, 0.03, 0.1, 0.3, 1.0)


def _follower(name: str, horizon: int):
    if name == "Hedge":
        return Hedge(eta=10.0 / np.sqrt(horizon))
    if name == "FTL":
        return FollowTheLeader()
    if name == "EXP3":
        return EXP3()
    return BlumMansour()


def game_lengths(horizon: int) -> list[int]:
    """Checkpoints of a ``horizon``-round run closest to ``FRACTIONS * horizon``."""
    grid = checkpoint_grid(horizon)
    return sorted({int(grid[np.argmin(np.abs(grid - f * horizon))]) for f in FRACTIONS})


def label(game: str, follower: str, length: int) -> str:
    return f"{game}|{follower}|T={length}"


def experiment(quick: bool = False) -> Experiment:
    """The leaders, the (game, follower, T) environments, horizon, repetitions and seed."""
    horizon, n_reps = sizes(quick, horizon=100_000, n_reps=20)
    environments = {
        label(game, follower, length): RepeatedGame(GAMES[game], _follower(follower, length), n_rounds=length)
        for game in GAMES
        for follower in FOLLOWERS
        for length in game_lengths(horizon)
    }
    return Experiment(
        learners={
            "exploit (two phases)": two_phase_schedule(),
            f"commit (V - {EPSILON:g})": Commitment(epsilon=EPSILON),
        },
        environments=environments,
        horizon=horizon,
        n_reps=n_reps,
        seed=0,
    )


def average_utilities(results):
    """``{(leader, game, follower): (lengths, mean, half-width of the 95% CI)}``."""
    from onlinelearn.results import t_quantile

    regret = results.metrics["pseudo_regret"]
    checkpoints = np.asarray(results.checkpoints)
    table: dict = {}
    for i, leader in enumerate(results.learner_names):
        for j, environment in enumerate(results.environment_names):
            game, follower, length = environment.split("|")
            length = int(length[2:])
            c = int(np.flatnonzero(checkpoints == length)[0])
            values = GAMES[game].stackelberg_value - regret[i, j, :, c] / length
            mean = values.mean()
            half = (
                t_quantile(len(values)) * values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0
            )
            table.setdefault((leader, game, follower), []).append((length, mean, half))
    return {
        key: tuple(np.array(column) for column in zip(*sorted(rows), strict=True))
        for key, rows in table.items()
    }


def draw(results):
    """One panel per game: average payoff against T, one colour per follower, one line style per
    leader; the Stackelberg value as a black reference line."""
    import matplotlib.pyplot as plt

    table = average_utilities(results)
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    colours = dict(zip(FOLLOWERS, ("tab:blue", "tab:orange", "tab:green", "tab:red"), strict=True))
    styles = dict(zip(results.learner_names, ("-", "--"), strict=False))
    markers = dict(zip(results.learner_names, ("o", "s"), strict=False))
    for ax, game in zip(axes, GAMES, strict=True):
        for (leader, panel, follower), (lengths, mean, half) in table.items():
            if panel != game:
                continue
            ax.errorbar(
                lengths,
                mean,
                yerr=half,
                color=colours[follower],
                linestyle=styles[leader],
                marker=markers[leader],
                markersize=4,
                capsize=2,
                label=f"{leader} vs {follower}",
            )
        value = GAMES[game].stackelberg_value
        ax.axhline(value, color="black", linewidth=1.2, label="Stackelberg value V")
        if game == "DSS":
            ax.axhline(
                1 - np.sqrt(GAMMA), color="grey", linewidth=0.8, linestyle=":", label="1 - sqrt(gamma)"
            )
        ax.set_xscale("log")
        ax.set_xlabel("length of the game T")
        ax.set_ylabel("leader's average expected payoff")
        ax.set_title(TITLES[game], fontsize="medium")
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=4,
        fontsize="small",
        title="error bars: 95% CI of the mean over repetitions",
        title_fontsize="small",
    )
    return figure
