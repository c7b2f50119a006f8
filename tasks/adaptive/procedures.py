"""Adaptive procedures: a transformed up-down staircase (Levitt 1971) and QUEST+ (Watson 2017,
through the ``questplus`` package), behind one small interface:

    next_level() -> float      the difference to present next, in the dimension's unit
    update(level, correct)     the level actually played and whether the answer was right
    finished() -> bool         the stopping rule (trials, or CI width after a minimum)
    estimate() -> Estimate     threshold with a 95 % interval, in the dimension's unit
    state() -> dict            a JSON-able snapshot stored with every trial

Both are deterministic functions of the trials they were given, so a block is resumed by
replaying its stored trials into a fresh procedure (``replay``): the next level is exactly the
one an uninterrupted run would ask for.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from tasks.psychometrics.dimensions import AdaptiveScale
from tasks.psychometrics.functions import DEFAULT_LAPSE, GUESS_2AFC, p_correct_at_alpha

PROCEDURES = ("quest+", "2down1up", "3down1up")
# Levitt's convergence points: p^down = 1/2
STAIRCASE_TARGETS = {"2down1up": 0.5 ** (1 / 2), "3down1up": 0.5 ** (1 / 3)}
T_975 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26, 10: 2.23,
         11: 2.20, 12: 2.18, 13: 2.16, 14: 2.14, 15: 2.13, 16: 2.12, 17: 2.11, 18: 2.10, 19: 2.09}


class ProcedureError(ValueError):
    """Settings a procedure cannot run with; the message names the setting."""


@dataclass(frozen=True)
class AdaptiveSettings:
    procedure: str = "quest+"
    max_trials: int = 60
    # stop early once the 95 % interval is narrower than this fraction of the threshold
    # ((ci_high - ci_low) / threshold); 0 = stop only after max_trials
    stop_ci_width_ratio: float = 0.0
    min_trials: int = 20  # the CI rule is not consulted before this many trials
    start_step_factor: float = 2.0  # staircase: the first steps multiply/divide the level by this
    reversals_per_halving: int = 2  # staircase: the step (in log units) is halved every N reversals ...
    step_halvings: int = 2  # ... this many times (2.0 -> 1.41 -> 1.19 with the defaults)
    threshold_reversals: int = 6  # staircase: threshold = geometric mean of the last K reversals

    def __post_init__(self) -> None:
        if self.procedure not in PROCEDURES:
            raise ProcedureError(f"adaptive procedure must be one of {', '.join(PROCEDURES)}, not {self.procedure!r}")
        if self.max_trials < 2:
            raise ProcedureError(f"adaptive max_trials must be at least 2, not {self.max_trials}")
        if not self.start_step_factor > 1.0:
            raise ProcedureError(f"adaptive start_step_factor must be above 1, not {self.start_step_factor}")
        if self.stop_ci_width_ratio < 0 or self.min_trials < 0 or self.step_halvings < 0:
            raise ProcedureError("adaptive stop_ci_width_ratio, min_trials and step_halvings cannot be negative")
        if self.reversals_per_halving < 1:
            raise ProcedureError(f"adaptive reversals_per_halving must be at least 1, not {self.reversals_per_halving}")
        if self.threshold_reversals < 2:
            raise ProcedureError(f"adaptive threshold_reversals must be at least 2, not {self.threshold_reversals}")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Estimate:
    threshold: float | None  # None: not enough data yet (e.g. fewer than two reversals)
    ci_low: float | None
    ci_high: float | None
    target_p_correct: float  # the proportion correct the threshold stands for

    def ci_ratio(self) -> float:
        if self.threshold is None or self.ci_low is None or self.ci_high is None:
            return math.inf
        return (self.ci_high - self.ci_low) / self.threshold


@dataclass
class _History:
    levels: list[float] = field(default_factory=list)
    correct: list[bool] = field(default_factory=list)


class _Base:
    def __init__(self, dim: AdaptiveScale, settings: AdaptiveSettings):
        self.dim, self.settings = dim, settings
        self.history = _History()

    @property
    def n_trials(self) -> int:
        return len(self.history.levels)

    def finished(self) -> bool:
        s = self.settings
        if self.n_trials >= s.max_trials:
            return True
        if s.stop_ci_width_ratio > 0 and self.n_trials >= s.min_trials:
            return self.estimate().ci_ratio() <= s.stop_ci_width_ratio
        return False

    def _clip(self, level: float) -> float:
        return float(min(self.dim.max_level, max(self.dim.min_level, level)))


class Staircase(_Base):
    """Transformed up-down: ``down`` correct answers in a row make it harder (level / step),
    one wrong answer easier (level * step). Steps are multiplicative (equal in log units);
    the step's log is halved every ``reversals_per_halving`` reversals, ``step_halvings``
    times. Threshold: geometric mean of the last ``threshold_reversals`` reversal levels
    reached at the final step (all reversals while there are fewer than two of those);
    95 % interval: t-interval of their logs counting one value per peak-valley pair, never
    narrower than half the final step."""

    def __init__(self, dim: AdaptiveScale, settings: AdaptiveSettings):
        super().__init__(dim, settings)
        self.down = {"2down1up": 2, "3down1up": 3}[settings.procedure]
        self.log_level = math.log10(dim.start_level)
        self.correct_run = 0
        self.direction = 0  # -1 going down (harder), +1 up, 0 not moved yet
        self.reversals: list[float] = []  # log10 levels

    def _halvings(self, n_reversals: int) -> int:
        return min(self.settings.step_halvings, n_reversals // self.settings.reversals_per_halving)

    @property
    def step_log10(self) -> float:
        return math.log10(self.settings.start_step_factor) / 2 ** self._halvings(len(self.reversals))

    def next_level(self) -> float:
        return self._clip(10 ** self.log_level)

    def update(self, level: float, correct: bool) -> None:
        self.history.levels.append(float(level))
        self.history.correct.append(bool(correct))
        move = 0
        if correct:
            self.correct_run += 1
            if self.correct_run >= self.down:
                move, self.correct_run = -1, 0
        else:
            move, self.correct_run = +1, 0
        if move == 0:
            return
        if self.direction and move != self.direction:
            self.reversals.append(self.log_level)
        self.direction = move
        lo, hi = math.log10(self.dim.min_level), math.log10(self.dim.max_level)
        self.log_level = min(hi, max(lo, self.log_level + move * self.step_log10))

    def estimate(self) -> Estimate:
        target = STAIRCASE_TARGETS[self.settings.procedure]
        s = self.settings
        # reversals reached at the final step: those after the last halving's reversal
        first_final = s.step_halvings * s.reversals_per_halving
        usable = self.reversals[first_final:] if len(self.reversals) >= first_final + 2 else self.reversals
        last = np.array(usable[-s.threshold_reversals:])
        if last.size < 2:
            return Estimate(None, None, None, target)
        mean = float(last.mean())
        # successive reversals share most of the track between them (a peak and the next valley
        # are not independent): count one independent value per pair of reversals. With single
        # reversals counted, 95 % intervals covered the truth in only 72-90 % of 200 simulated
        # blocks; per pair, 94-99 % (2-down-1-up and 3-down-1-up, 40-80 trials).
        n_eff = last.size / 2
        half = T_975.get(max(last.size // 2 - 1, 1), 1.96) * float(last.std(ddof=1)) / math.sqrt(max(n_eff, 1.0))
        half = max(half, self.step_log10 / 2)  # never narrower than the step that limits it
        return Estimate(10 ** mean, 10 ** (mean - half), 10 ** (mean + half), target)

    def state(self) -> dict:
        return {"procedure": self.settings.procedure, "n_trials": self.n_trials,
                "next_level": self.next_level(), "step_factor": 10 ** self.step_log10,
                "correct_run": self.correct_run, "direction": self.direction,
                "reversal_levels": [round(10 ** r, 6) for r in self.reversals], **_estimate_fields(self.estimate())}


def _estimate_fields(est: Estimate) -> dict:
    return {"threshold": est.threshold, "ci_low": est.ci_low, "ci_high": est.ci_high}


QUEST_SLOPES = (1.5, 2.0, 3.0, 4.0, 6.0)
CORRECT, INCORRECT = "Correct", "Incorrect"


class QuestPlusProcedure(_Base):
    """QUEST+ over a Weibull (tasks.psychometrics.functions) with threshold and slope unknown, guess 1/2 and
    a 2 % lapse fixed; stimuli and thresholds on the dimension's log-spaced grid, a flat prior
    on the grid (log-uniform in the level). Next level: minimum expected entropy. Threshold:
    the median of the marginal posterior; 95 % interval: its 2.5 and 97.5 % points
    (interpolated in log units).

    ``questplus`` builds the model: the domains, the Weibull likelihood table and the prior.
    The per-trial Bayes update and the minimum-expected-entropy choice are questplus's own
    formulas applied to those arrays with plain numpy: ~6 ms a trial with its xarray versions,
    ~0.1 ms with these (bench/adaptive_questplus.py, ~57x on 2 loaded cores); a test checks
    that both choose the same levels."""

    def __init__(self, dim: AdaptiveScale, settings: AdaptiveSettings):
        super().__init__(dim, settings)
        self.qp = questplus_model(dim)
        self.intensities = np.asarray(self.qp.stim_domain["intensity"], dtype=np.float64)
        self.thresholds = np.asarray(self.qp.param_domain["threshold"], dtype=np.float64)
        order = ("response", "intensity", *self.qp.param_domain)
        table = self.qp.likelihoods.transpose(*order).values
        self.likelihood = table.reshape(2, self.intensities.size, -1)  # (outcome, level, parameter set)
        self.posterior = self.qp.prior.transpose(*self.qp.param_domain).values.reshape(-1).astype(np.float64)
        self.posterior /= self.posterior.sum()
        self._next: float | None = None

    def next_level(self) -> float:
        if self._next is None:
            joint = self.posterior[None, None, :] * self.likelihood  # (outcome, level, parameters)
            pk = joint.sum(axis=2)
            new = joint / pk[..., None]
            with np.errstate(divide="ignore", invalid="ignore"):
                h = -np.where(new > 0, new * np.log(new), 0.0).sum(axis=2)
            expected = (pk * h).sum(axis=0)
            self._next = float(self.intensities[int(np.argmin(expected))])
        return self._next

    def update(self, level: float, correct: bool) -> None:
        self.history.levels.append(float(level))
        self.history.correct.append(bool(correct))
        # the model is defined on its grid: the played level's nearest grid point (log units)
        i = int(np.argmin(np.abs(np.log(self.intensities) - math.log(max(level, 1e-12)))))
        self.posterior = self.posterior * self.likelihood[0 if correct else 1, i]
        self.posterior /= self.posterior.sum()
        self._next = None

    def marginal_threshold(self) -> np.ndarray:
        return self.posterior.reshape(self.thresholds.size, -1).sum(axis=1)

    def estimate(self) -> Estimate:
        marginal = self.marginal_threshold()
        cdf = np.cumsum(marginal) / marginal.sum()
        logs = np.log10(self.thresholds)
        # the posterior mass of grid point i is spread evenly over its cell: interpolate the
        # CDF between cell edges
        edges = np.concatenate([[logs[0] - (logs[1] - logs[0]) / 2], (logs[1:] + logs[:-1]) / 2,
                                [logs[-1] + (logs[-1] - logs[-2]) / 2]])
        cdf_at_edges = np.concatenate([[0.0], cdf])

        def quantile(q: float) -> float:
            return float(10 ** np.interp(q, cdf_at_edges, edges))

        return Estimate(quantile(0.5), quantile(0.025), quantile(0.975), p_correct_at_alpha())

    def state(self) -> dict:
        slope = self.posterior.reshape(self.thresholds.size, len(QUEST_SLOPES)).sum(axis=0)
        return {"procedure": "quest+", "n_trials": self.n_trials, "next_level": self.next_level(),
                "slope_mean": float(np.dot(slope, QUEST_SLOPES) / np.sum(slope)), **_estimate_fields(self.estimate())}


def questplus_model(dim: AdaptiveScale):
    """The questplus model of a dimension (see QuestPlusProcedure)."""
    from questplus import QuestPlus  # heavy import (xarray): only when a QUEST+ block runs

    return QuestPlus(stim_domain={"intensity": dim.grid(41)},
                     param_domain={"threshold": dim.grid(41), "slope": np.array(QUEST_SLOPES),
                                   "lower_asymptote": np.array([GUESS_2AFC]),
                                   "lapse_rate": np.array([DEFAULT_LAPSE])},
                     outcome_domain={"response": [CORRECT, INCORRECT]},
                     func="weibull", stim_scale="linear", stim_selection_method="min_entropy")


def make_procedure(dim: AdaptiveScale, settings: AdaptiveSettings) -> Staircase | QuestPlusProcedure:
    if settings.procedure == "quest+":
        return QuestPlusProcedure(dim, settings)
    return Staircase(dim, settings)


def replay(dim: AdaptiveScale, settings: AdaptiveSettings, trials: list[tuple[float, bool]]):
    """A procedure that has seen ``trials`` (level played, correct) in order: how a stored
    block is resumed."""
    proc = make_procedure(dim, settings)
    for level, correct in trials:
        proc.update(level, correct)
    return proc
