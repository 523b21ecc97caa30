"""Playing against no-regret learners: the leader's average payoff against the length T of the game.

Deng, Schneider and Sivan, "Strategizing against no-regret learners" (NeurIPS 2019).  Two leaders,

* "exploit": the two-phase schedule (row 0 for T/2 rounds, then row 1), and
* "commit": the V - epsilon commitment strategy (epsilon = 0.05) of the multiple-LPs solver,

play against four followers, Hedge (eta = 10 / sqrt(T) on the raw payoffs B, the convention of the
reference notes' table; ``Game.unit_rate`` converts it to the library's units, 20 / sqrt(T) on the
DSS game), follow-the-leader, EXP3 (bandit feedback, default tuning) and the Blum-Mansour
no-swap-regret learner (default tuning), on

(a) the DSS game (gamma = 1e-4; V = 0): against FTL and Hedge the exploit earns far more than V
    (1 - sqrt(gamma) = 0.99 against FTL; 0.945 against Hedge at T = 10^5, the notes' table),
    against Blum-Mansour far less.  EXP3 with its default rate (about sqrt(ln 3 / T)) is
    mean-based only in the limit: exploitation needs eta sqrt(gamma) T >> 1, which fails at
    these T;
(b) the commitment game (V = 3.5): the follower has two actions, nothing beats V, and
    commitment approaches V - epsilon against every follower.

Each game length T is its own run of T rounds (``RepeatedGame(n_rounds=T)``: the follower's
tuning and the schedule's phases are planned for T), and the point plotted at T is the average
payoff over those T rounds, ``V - pseudo_regret / T`` (the environment's comparator is the
Stackelberg value).  T ranges over ``FRACTIONS`` of T_max = 10^5, 20 repetitions (``--quick``:
T_max = 2000, 10 repetitions); error bars: 95% CI of the mean over repetitions.  Writes
``stackelberg.png`` and ``stackelberg.csv`` (the plotted points).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from onlinelearn.environments.games import RepeatedGame

from onlinelearn.games import commitment_game, dss_game
from onlinelearn.learners.exp3 import EXP3
from onlinelearn.learners.followers import BlumMansour, FollowTheLeader
from onlinelearn.learners.hedge import Hedge
from onlinelearn.learners.leaders import Commitment, two_phase_schedule
from paper_figures._common import Experiment, run, sizes

NAME = "stackelberg"
GAMMA = 1e-4
EPSILON = 0.05
GAMES = {"DSS": dss_game(GAMMA), "commitment": commitment_game()}
TITLES = {
    "DSS": f"(a) DSS game, gamma = {GAMMA:g}, V = 0",
    "commitment": "(b) commitment game, V = 3.5 (two follower actions)",
}
FOLLOWERS = ("Hedge", "FTL", "EXP3", "Blum-Mansour")
#: Game lengths as fractions of T_max.
FRACTIONS = (0.01, 0.03, 0.1, 0.3, 1.0)
#: Hedge's eta = HEDGE_C / sqrt(T) on the raw payoffs of B.
HEDGE_C = 10.0


def _follower(name: str, game, horizon: int):
    if name == "Hedge":
        return Hedge(eta=game.unit_rate(HEDGE_C / np.sqrt(horizon)))
    if name == "FTL":
        return FollowTheLeader()
    if name == "EXP3":
        return EXP3()
    return BlumMansour()


def game_lengths(horizon: int) -> list[int]:
    """``FRACTIONS * horizon``, rounded."""
    return sorted({max(1, round(f * horizon)) for f in FRACTIONS})


def label(game: str, follower: str) -> str:
    return f"{game}|{follower}"


def experiments(quick: bool = False) -> dict[int, Experiment]:
    """One experiment per game length T: the leaders against every (game, follower), T rounds."""
    horizon, n_reps = sizes(quick, horizon=100_000, n_reps=20)
    leaders = {
        "exploit (two phases)": two_phase_schedule(),
        f"commit (V - {EPSILON:g})": Commitment(epsilon=EPSILON),
    }
    return {
        length: Experiment(
            learners=leaders,
            environments={
                label(game, follower): RepeatedGame(
                    GAMES[game], _follower(follower, GAMES[game], length), n_rounds=length
                )
                for game in GAMES
                for follower in FOLLOWERS
            },
            horizon=length,
            n_reps=n_reps,
            seed=0,
            n_checkpoints=1,
        )
        for length in game_lengths(horizon)
    }


def average_utilities(all_results: dict) -> dict:
    """``{(leader, game, follower): (lengths, mean, half-width of the 95% CI)}`` from the results
    of :func:`experiments`, keyed by game length."""
    from onlinelearn.results import t_quantile

    table: dict = {}
    for length, results in sorted(all_results.items()):
        regret = results.metrics["pseudo_regret"]
        for i, leader in enumerate(results.learner_names):
            for j, environment in enumerate(results.environment_names):
                game, follower = environment.split("|")
                values = GAMES[game].stackelberg_value - regret[i, j, :, -1] / length
                mean = values.mean()
                half = (
                    t_quantile(len(values)) * values.std(ddof=1) / np.sqrt(len(values))
                    if len(values) > 1
                    else 0.0
                )
                table.setdefault((leader, game, follower), []).append((length, mean, half))
    return {key: tuple(np.array(column) for column in zip(*rows, strict=True)) for key, rows in table.items()}


def table_frame(table: dict):
    """The plotted points as a tidy frame (one row per leader, game, follower and T)."""
    import pandas as pd

    rows = [
        {"leader": leader, "game": game, "follower": follower, "T": int(T), "mean": m, "ci95_half_width": h}
        for (leader, game, follower), columns in table.items()
        for T, m, h in zip(*columns, strict=True)
    ]
    return pd.DataFrame(rows)


def make(out_dir, quick: bool = False) -> list[Path]:
    """Run one experiment per game length, draw the figure and write the PNG and the CSV."""
    import matplotlib.pyplot as plt

    from onlinelearn.plot import STYLE, save

    start = time.perf_counter()
    table = average_utilities({length: run(e) for length, e in experiments(quick).items()})
    elapsed = time.perf_counter() - start
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{NAME}.png", out_dir / f"{NAME}.csv"]
    with plt.style.context(STYLE):
        figure = draw(table)
        save(figure, paths[0])
    plt.close(figure)
    table_frame(table).to_csv(paths[1], index=False)
    print(f"{NAME}: {elapsed:.1f} s (including compilation); wrote {', '.join(map(str, paths))}")
    return paths


def draw(table: dict):
    """One panel per game: average payoff against T (``table`` from :func:`average_utilities`),
    one colour per follower, one line style per leader; the Stackelberg value as a black
    reference line."""
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    colours = dict(zip(FOLLOWERS, ("tab:blue", "tab:orange", "tab:green", "tab:red"), strict=True))
    leaders = list(dict.fromkeys(leader for leader, _, _ in table))
    styles = dict(zip(leaders, ("-", "--"), strict=False))
    markers = dict(zip(leaders, ("o", "s"), strict=False))
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
