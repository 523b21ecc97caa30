"""The optimistic learners on user-written Python environments: a quadratic, one with the SEA
record slots (read by SEARegret), and an experts environment for optimistic Hedge."""

from dataclasses import fields

import numpy as np
from onlinelearn.environments.sea import ADVERSARIAL_VARIATION, STOCHASTIC_VARIANCE, SEASpec

import onlinelearn as ol
from onlinelearn.core import EnvSpec, Feedback, FeedbackKind, ball
from onlinelearn.core.oracle import OracleRecord, record_size
from onlinelearn.learners.ftrl import FTRL
from onlinelearn.learners.omd import OMD
from onlinelearn.learners.optimistic_ftl import OFTL
from onlinelearn.learners.optimistic_ftrl import OptimisticFTRL
from onlinelearn.learners.optimistic_hedge import OptimisticHedge
from onlinelearn.learners.optimistic_omd import OptimisticOMD
from onlinelearn.trackers.sea import SEARegret


class PythonQuadratic:
    """A user-written Python environment: ``f_t(x) = 1/2 ||x - xi_t||^2`` with ``xi_t = mu +- 0.1``."""

    def reset(self, *, seed=None):
        self.rng = np.random.default_rng(seed)
        self.mu = np.array([0.3, -0.2])
        self.rounds = 0
        self.record = np.zeros(7)
        return EnvSpec(FeedbackKind.GRADIENT, decision_set=ball(2), loss_range=(0.0, 2.0), gradient_bound=1.5)

    def step(self, action):
        x = np.asarray(action, dtype=float)
        xi = self.mu + 0.1 * np.sign(self.rng.random(2) - 0.5)
        self.rounds += 1
        self.record[:] = 0.0
        self.record[0] = 0.5 * np.sum((x - xi) ** 2)
        self.record[1] = 0.5 * np.sum((x - self.mu) ** 2) + 0.01
        self.record[2] = 0.01  # min_X F_t (mu lies inside the disc)
        self.record[5] = 0.01 * self.rounds  # min_X sum_s F_s
        return Feedback(FeedbackKind.GRADIENT, np.concatenate([[self.record[0]], x - xi]))

    def oracle(self):
        return OracleRecord(self.record.copy())


def test_user_written_python_environment_works_with_every_learner():
    """Every OCO learner of the family runs on a user-written environment (Python loop) and pays
    below 5 after 200 rounds (the others below 1).  The exp-concave regime with the reference
    notes' H_1 = (1 + beta G^2 / 2) I, about I here (beta = 1/24), paid about 30: its optimistic
    double step is unstable on this L = 1 quadratic until H_t has grown (see OptimisticOMD); with
    L given, H_1 = sqrt(10) L I."""
    alpha, horizon = 1 / 1.5**2, 200  # 1/2 ||x - xi||^2 is 1/G^2-exp-concave
    learners = [
        OptimisticOMD(smoothness=1.0),
        OptimisticOMD("strongly_convex", lam=1.0),
        OptimisticFTRL(),
        OFTL(),
        OMD(),
        FTRL(regularizer="euclidean"),
        OptimisticOMD("exp_concave", alpha=alpha, smoothness=1.0),
    ]
    result = ol.run(learners, PythonQuadratic(), horizon, n_reps=2, seed=0, progress=False)
    assert not result.compiled.any()
    final = result.final("pseudo_regret")
    assert np.all(np.isfinite(final)) and np.all(final < 5.0)


class PythonSEAQuadratic(PythonQuadratic):
    """:class:`PythonQuadratic` with the two SEA record slots read by SEARegret (a spec whose record
    has them, as the built-in SEA environments use): ``sigma_t^2 = E ||xi_t - mu||^2 = 0.02`` and the
    variation term, ``sup_X ||grad F_1||^2 = (1 + ||mu||)^2`` in round 1 and 0 after."""

    def reset(self, *, seed=None):
        spec = super().reset(seed=seed)
        self.record = np.zeros(spec.record_size + 2)
        return SEASpec(**{field.name: getattr(spec, field.name) for field in fields(spec)})

    def step(self, action):
        feedback = super().step(action)
        self.record[STOCHASTIC_VARIANCE] = 0.02
        self.record[ADVERSARIAL_VARIATION] = (1 + np.linalg.norm(self.mu)) ** 2 if self.rounds == 1 else 0.0
        return feedback


def test_user_written_sea_environment_feeds_the_sea_tracker():
    """SEARegret on a user-written environment: the statistics it reports are the environment's,
    and its pseudo-regret is the generic PseudoRegret tracker's on the same realisations."""
    learners = [OptimisticOMD(smoothness=1.0), OptimisticFTRL(), OFTL(), OMD()]
    kwargs = {"n_reps": 2, "seed": 0, "progress": False}
    sea = ol.run(learners, PythonSEAQuadratic(), 200, trackers=[SEARegret()], **kwargs)
    generic = ol.run(learners, PythonSEAQuadratic(), 200, trackers=[ol.trackers.PseudoRegret()], **kwargs)
    assert not sea.compiled.any()
    np.testing.assert_allclose(sea.final("stochastic_variance"), 200 * 0.02)
    np.testing.assert_allclose(sea.final("adversarial_variation"), (1 + np.hypot(0.3, 0.2)) ** 2)
    np.testing.assert_allclose(sea.final("max_stochastic_variance"), 0.02)
    np.testing.assert_array_equal(sea.final("pseudo_regret"), generic.final("pseudo_regret"))


class PythonExperts:
    """A user-written experts environment: Bernoulli losses of means ``(0.3, 0.5, 0.6)``, full
    information; the oracle record carries the expected losses of the three experts."""

    means = np.array([0.3, 0.5, 0.6])

    def reset(self, *, seed=None):
        self.rng = np.random.default_rng(seed)
        self.rounds = 0
        self.cumulative = np.zeros(3)
        self.record = np.zeros(record_size(3))
        return EnvSpec(FeedbackKind.FULL_INFORMATION, n_actions=3)

    def step(self, action):
        losses = (self.rng.random(3) < self.means).astype(float)
        self.rounds += 1
        self.cumulative += losses
        self.record[:] = [
            losses[action],
            self.means[action],
            self.means.min(),
            losses.min(),
            self.cumulative.min(),
            self.rounds * self.means.min(),
            0.0,
            *self.means,
        ]
        return Feedback(FeedbackKind.FULL_INFORMATION, losses)

    def oracle(self):
        return OracleRecord(self.record.copy())


def test_user_written_experts_environment_works_with_optimistic_hedge():
    """Optimistic Hedge (fixed and adaptive rates) on a user-written experts environment: the
    Python loop runs, and the pseudo-regret of each run is below the RVU bounds of
    test_optimistic_hedge_regret_below_bound (2 sqrt(T ln N), 3 sqrt(ln N (1 + T)))."""
    horizon = 500
    result = ol.run(
        [OptimisticHedge(), OptimisticHedge(adaptive=True)],
        PythonExperts(),
        horizon,
        n_reps=4,
        seed=0,
        trackers=[ol.trackers.PseudoRegret()],
        progress=False,
    )
    assert not result.compiled.any()
    final = result.final("pseudo_regret")[:, 0]
    assert np.all(final[0] <= 2 * np.sqrt(horizon * np.log(3)))
    assert np.all(final[1] <= 3 * np.sqrt(np.log(3) * (1 + horizon)))
    assert np.all(final > 0)  # the sampled experts are not all the best one
