"""Psychometric functions fitted to right/wrong answers by maximum likelihood (numpy, scipy).

The model of one trial at stimulus value x is tasks.psychometrics.functions', with guess rate g
(chance: 1 / number of options of the trial's item) and lapse rate l:

    P(x) = g + (1 - g - l) * F(x), F a Weibull (magnitudes: x >= 0) or a logistic (levels on
    an interval scale, dB HL)

alpha, beta and l (bounded to [0, MAX_LAPSE]) maximize the binomial likelihood: the best point
of a grid, then Fisher scoring with step halving, for many fits at once (every responder and
every bootstrap resample in one vectorized pass); each reported point estimate is then
polished by scipy.optimize (L-BFGS-B, analytic gradient). g is not fitted: it is fixed per
trial, so items with 2, 3 or 4 options can share one curve.

The *threshold* is the value where P is halfway between chance and 1, P = (1 + g) / 2 (with g
the trials' mean chance); the *slope* is dP/dx there, in proportion correct per unit. A fit is
reported with its threshold only where the answers identify it (tasks.analysis.psychometric_identify:
enough trials per difference, accuracy above chance, a likelihood that is not flat, a threshold
inside the tested range); otherwise the ``identification`` says why, with a bound where one can
be said, and there is no interval. The 95% CIs of identified fits are percentile bootstraps:
for one responder a parametric bootstrap (answers drawn again from the fitted curve at each
difference, so that a difference answered all right or all wrong still varies), for the pooled
humans whole responders resampled (``groups``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from tasks.analysis.psychometric_identify import Identification, identify
from tasks.psychometrics.functions import LOGISTIC, WEIBULL, p_correct, slope_at, threshold_of

MAX_LAPSE = 0.06
# The 95% interval of one responder's parametric bootstrap takes the 1.5th and 98.5th percentiles:
# the plain 2.5th and 97.5th covered the true threshold in 0.90-0.93 of simulated responders
# (7 differences, 6-20 trials each, slopes 1.5-3, lapse 0-4%), these in 0.93-0.95 (a calibration
# of the nominal level, checked by bench/stat_validation.py and a test).
RESPONDER_PERCENTILES = (1.5, 98.5)
MIN_TRIALS = 12
_EPS = 1e-9
_CHUNK_ROWS = 4000


@dataclass(frozen=True)
class Fit:
    form: str
    alpha: float
    beta: float
    lapse: float
    chance: float  # the g of the threshold (mean over the trials)
    threshold: float
    slope: float  # dP/dx at the threshold, proportion correct per unit
    n_trials: int
    n_values: int
    log_likelihood: float

    def p_correct(self, x, chance: float | None = None) -> np.ndarray:
        return p_correct(self.form, np.asarray(x, dtype=float), self.alpha, self.beta, self.lapse,
                         self.chance if chance is None else chance)


@dataclass(frozen=True)
class FitWithCI:
    fit: Fit
    threshold_ci: tuple[float, float]
    slope_ci: tuple[float, float]
    n_boot: int  # resamples that gave a fit
    identification: Identification = Identification(True)


def binned(values: np.ndarray, correct: np.ndarray, chance: np.ndarray, groups: np.ndarray | None = None):
    """Unique (value, chance) bins: (x, g, k, n); with groups also the (G, bins) counts."""
    values, chance = np.asarray(values, dtype=float), np.asarray(chance, dtype=float)
    correct = np.asarray(correct, dtype=float)
    keys = np.stack([values, chance], axis=1)
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    k = np.bincount(inv, weights=correct, minlength=len(uniq))
    n = np.bincount(inv, minlength=len(uniq)).astype(float)
    if groups is None:
        return uniq[:, 0], uniq[:, 1], k, n, None, None
    g_ids, g_inv = np.unique(np.asarray(groups), return_inverse=True)
    shape = (len(g_ids), len(uniq))
    gk = np.zeros(shape)
    gn = np.zeros(shape)
    np.add.at(gk, (g_inv.reshape(-1), inv), correct)
    np.add.at(gn, (g_inv.reshape(-1), inv), 1.0)
    return uniq[:, 0], uniq[:, 1], k, n, gk, gn


def _curve_and_derivatives(form: str, x: np.ndarray, a: np.ndarray, b: np.ndarray):
    """F and its derivatives by a and b (a = log alpha for the Weibull, alpha for the logistic;
    b = log beta), for parameter arrays of shape (..., 1) against the bins x (broadcast)."""
    beta = np.exp(b)
    if form == WEIBULL:
        positive = x > 0
        log_ratio = np.where(positive, np.log(np.where(positive, x, 1.0)) - a, 0.0)
        z = np.where(positive, np.exp(np.clip(beta * log_ratio, -700.0, 700.0)), 0.0)
        f = -np.expm1(-z)
        df = np.exp(-z)
        return f, df * (-beta * z), df * z * beta * log_ratio
    f = 0.5 * (1.0 + np.tanh(0.5 * beta * (x - a)))
    d = f * (1.0 - f)
    return f, -beta * d, beta * (x - a) * d


def _nll(form: str, theta: np.ndarray, x, g, k, n) -> np.ndarray:
    f, _da, _db = _curve_and_derivatives(form, x, theta[:, :1], theta[:, 1:2])
    p = np.clip(g + (1.0 - g - theta[:, 2:3]) * f, _EPS, 1.0 - _EPS)
    return -np.sum(k * np.log(p) + (n - k) * np.log1p(-p), axis=1)


def _bounds(form: str, x: np.ndarray) -> np.ndarray:
    """(3, 2): the low and high bound of a, b and the lapse."""
    if form == WEIBULL:
        positive = x[x > 0]
        low, high = float(positive.min()), float(positive.max())
        return np.array([(math.log(low / 20.0), math.log(high * 20.0)), (math.log(0.3), math.log(20.0)),
                         (0.0, MAX_LAPSE)])
    low, high = float(x.min()), float(x.max())
    width = max(high - low, 1e-6)
    return np.array([(low - width, high + width), (math.log(0.05 / width), math.log(200.0 / width)),
                     (0.0, MAX_LAPSE)])


def _fit_many(form: str, x: np.ndarray, g: np.ndarray, k: np.ndarray, n: np.ndarray,
              iterations: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood (a, b, lapse) for every row of k, n (R, bins) at once: the best point
    of a grid, then Fisher scoring with step halving, inside the bounds. Returns (R, 3), (R,)."""
    if len(k) > _CHUNK_ROWS:  # bounded memory: the grid stage holds (rows, grid points)
        parts = [_fit_many(form, x, g, k[i:i + _CHUNK_ROWS], n[i:i + _CHUNK_ROWS], iterations)
                 for i in range(0, len(k), _CHUNK_ROWS)]
        return np.concatenate([t for t, _v in parts]), np.concatenate([v for _t, v in parts])
    bounds = _bounds(form, x)
    grid = np.stack(np.meshgrid(np.linspace(*bounds[0], 32), np.linspace(*bounds[1], 12),
                                np.array([0.0, 0.03, MAX_LAPSE]), indexing="ij"), axis=-1).reshape(-1, 3)
    f, _da, _db = _curve_and_derivatives(form, x, grid[:, :1], grid[:, 1:2])
    p = np.clip(g + (1.0 - g - grid[:, 2:3]) * f, _EPS, 1.0 - _EPS)  # (G, bins)
    nll_grid = -(k @ np.log(p).T + (n - k) @ np.log1p(-p).T)  # (R, G)
    theta = grid[np.argmin(nll_grid, axis=1)]
    nll = _nll(form, theta, x, g, k, n)
    active = np.arange(len(theta))  # rows still moving
    for _ in range(iterations):
        th, kk, nn, cur = theta[active], k[active], n[active], nll[active]
        f, da, db = _curve_and_derivatives(form, x, th[:, :1], th[:, 1:2])
        span = 1.0 - g - th[:, 2:3]
        p = np.clip(g + span * f, _EPS, 1.0 - _EPS)
        dp = np.stack([span * da, span * db, -f], axis=-1)  # (R, bins, 3)
        score = np.einsum("rbi,rb->ri", dp, (kk - nn * p) / (p * (1.0 - p)))
        info = np.einsum("rbi,rbj,rb->rij", dp, dp, nn / (p * (1.0 - p))) + 1e-9 * np.eye(3)
        step = np.linalg.solve(info, score[..., None])[..., 0]
        new = th.copy()
        pending = np.arange(len(th))
        scale = 1.0
        for _halving in range(8):  # halve the step of the rows whose likelihood did not improve
            trial = np.clip(th[pending] + scale * step[pending], bounds[:, 0], bounds[:, 1])
            trial_nll = _nll(form, trial, x, g, kk[pending], nn[pending])
            better = trial_nll <= cur[pending]
            new[pending[better]] = trial[better]
            cur[pending[better]] = trial_nll[better]
            pending = pending[~better]
            if not len(pending):
                break
            scale /= 2.0
        moved = nll[active] - cur > 1e-9  # the likelihood still rises
        theta[active], nll[active] = new, cur
        active = active[moved]
        if not len(active):
            break
    return theta, nll


def _polish(form: str, theta: np.ndarray, nll: float, x, g, k, n) -> tuple[np.ndarray, float]:
    """One fit refined by scipy.optimize (L-BFGS-B, analytic gradient) from the vectorized
    optimum; kept only where it raises the likelihood."""
    def nll_and_grad(t):
        f, da, db = _curve_and_derivatives(form, x, t[0], t[1])
        span = 1.0 - g - t[2]
        p = np.clip(g + span * f, _EPS, 1.0 - _EPS)
        dnll_dp = -(k / p - (n - k) / (1.0 - p))
        value = -float(np.sum(k * np.log(p) + (n - k) * np.log1p(-p)))
        return value, np.array([np.sum(dnll_dp * span * da), np.sum(dnll_dp * span * db), np.sum(-dnll_dp * f)])
    res = minimize(nll_and_grad, theta, jac=True, method="L-BFGS-B", bounds=_bounds(form, x))
    if np.all(np.isfinite(res.x)) and res.fun < nll:
        return res.x, float(res.fun)
    return theta, nll


def _thresholds_and_slopes(form: str, theta: np.ndarray, chance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """threshold_of and slope_at for many (a, b, lapse) rows at once."""
    a, beta, lapse = theta[:, 0], np.exp(theta[:, 1]), theta[:, 2]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        target = (1.0 - chance) / (2.0 * (1.0 - chance - lapse))
        ok = (target > 0) & (target < 1)
        target = np.where(ok, target, 0.5)
        if form == WEIBULL:
            alpha = np.exp(a)
            thr = alpha * (-np.log1p(-target)) ** (1.0 / beta)
            z = (thr / alpha) ** beta
            dfdx = np.exp(-z) * beta * z / thr
        else:
            thr = a + np.log(target / (1.0 - target)) / beta
            dfdx = beta * target * (1.0 - target)
        slope = (1.0 - chance - lapse) * dfdx
    return np.where(ok, thr, np.nan), np.where(ok, slope, np.nan)


def _usable(form: str, x: np.ndarray, n: np.ndarray) -> bool:
    informative = x[(x > 0) & (n > 0)] if form == WEIBULL else x[n > 0]
    return len(np.unique(informative)) >= 2 and n.sum() >= MIN_TRIALS


def _fit_from(form: str, theta: np.ndarray, nll: float, x, g, k, n) -> Fit:
    a, b, lapse = (float(v) for v in theta)
    alpha = math.exp(a) if form == WEIBULL else a
    beta = math.exp(b)
    chance = float(np.sum(g * n) / np.sum(n))
    thr = threshold_of(form, alpha, beta, lapse, chance)
    return Fit(form, alpha, beta, lapse, chance, thr, slope_at(form, thr, alpha, beta, lapse, chance),
               int(n.sum()), int(len(np.unique(x[n > 0]))), -nll)


def fit(values, correct, chance, form: str = WEIBULL) -> Fit | None:
    """The maximum-likelihood fit of one responder's (or a pooled set of) trials; None when the
    trials cannot determine a curve (fewer than two informative values or MIN_TRIALS trials)."""
    if form not in (WEIBULL, LOGISTIC):
        raise ValueError(f"form must be {WEIBULL} or {LOGISTIC}, not {form!r}")
    x, g, k, n, _gk, _gn = binned(values, correct, chance)
    if not _usable(form, x, n):
        return None
    theta, nll = _fit_many(form, x, g, k[None, :], n[None, :])
    return _fit_from(form, *_polish(form, theta[0], float(nll[0]), x, g, k, n), x, g, k, n)


def fit_with_ci(values, correct, chance, form: str = WEIBULL, n_boot: int = 200,
                rng: np.random.Generator | None = None, groups=None, unit: str = "") -> FitWithCI | None:
    """fit(), its identification, and for an identified fit 95% percentile bootstrap CIs of
    threshold and slope. With ``groups`` (one label per trial, e.g. the participant) whole groups
    are resampled; without, answers are drawn again from the fitted curve at each difference.
    All resamples are fitted at once."""
    rng = rng or np.random.default_rng(0)
    x, g, k, n, gk, gn = binned(values, correct, chance, groups)
    if not _usable(form, x, n):
        return None
    theta, nll = _fit_many(form, x, g, k[None, :], n[None, :])
    polished, best = _polish(form, theta[0], float(nll[0]), x, g, k, n)
    main = _fit_from(form, polished, best, x, g, k, n)
    found = identify(form, main.threshold, best, x, g, k, n, unit)
    if n_boot < 1 or not found.identified:
        return FitWithCI(main, (math.nan, math.nan), (math.nan, math.nan), 0, found)
    if gk is not None:
        pick = rng.integers(0, len(gk), (n_boot, len(gk)))
        times = np.zeros((n_boot, len(gk)))  # how often each group is drawn in each resample
        np.add.at(times, (np.repeat(np.arange(n_boot), len(gk)), pick.reshape(-1)), 1.0)
        kb, nb = times @ gk, times @ gn
    else:
        kb, nb = _parametric_resamples(_fitted_p(form, polished, x, g)[None, :], n[None, :], n_boot, rng)
    thresholds, slopes = _resampled(form, x, g, kb, nb)
    tails = (2.5, 97.5) if gk is not None else RESPONDER_PERCENTILES
    return FitWithCI(main, _interval(thresholds, tails), _interval(slopes, tails), int(np.isfinite(thresholds).sum()),
                     found)


def fit_responders(values, correct, chance, responders, form: str = WEIBULL, n_boot: int = 200,
                   rng: np.random.Generator | None = None, unit: str = "") -> dict:
    """fit_with_ci() for each responder separately (parametric bootstrap of identified fits),
    all responders and all their resamples fitted in one vectorized pass: responder -> FitWithCI
    or None."""
    rng = rng or np.random.default_rng(0)
    responders = np.asarray(responders)
    x, g, _k, _n, gk, gn = binned(values, correct, chance, responders)
    names = np.unique(responders)
    usable = _usable_rows(form, x, gn)
    out: dict = {name: None for name in names.tolist()}
    if not usable.any():
        return out
    theta, nll = _fit_many(form, x, g, gk[usable], gn[usable])
    rows = np.flatnonzero(usable)
    fits, found, fitted_p = [], [], []
    for j, r in enumerate(rows):
        polished, best = _polish(form, theta[j], float(nll[j]), x, g, gk[r], gn[r])
        fits.append(_fit_from(form, polished, best, x, g, gk[r], gn[r]))
        found.append(identify(form, fits[-1].threshold, best, x, g, gk[r], gn[r], unit))
        fitted_p.append(_fitted_p(form, polished, x, g))
    boots = None
    identified = np.array([f.identified for f in found])
    if n_boot >= 1 and identified.any():
        kb, nb = _parametric_resamples(np.array(fitted_p)[identified], gn[rows[identified]], n_boot, rng)
        boots = [a.reshape(int(identified.sum()), n_boot) for a in _resampled(form, x, g, kb, nb)]
    b = 0
    for j, r in enumerate(rows):
        if boots is None or not found[j].identified:
            out[names[r].item()] = FitWithCI(fits[j], (math.nan, math.nan), (math.nan, math.nan), 0, found[j])
            continue
        thr, slope = boots[0][b], boots[1][b]
        b += 1
        out[names[r].item()] = FitWithCI(fits[j], _interval(thr, RESPONDER_PERCENTILES),
                                         _interval(slope, RESPONDER_PERCENTILES), int(np.isfinite(thr).sum()), found[j])
    return out


def _fitted_p(form: str, theta: np.ndarray, x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """P(correct) of the fitted (a, b, lapse) at every bin."""
    f, _da, _db = _curve_and_derivatives(form, x, theta[0], theta[1])
    return np.clip(g + (1.0 - g - theta[2]) * f, 0.0, 1.0)


def _parametric_resamples(p_rows: np.ndarray, n_rows: np.ndarray, n_boot: int, rng: np.random.Generator):
    """(R * n_boot, bins): each row's answers drawn again from its fitted P at each difference."""
    kb = rng.binomial(np.repeat(n_rows, n_boot, axis=0).astype(np.int64), np.repeat(p_rows, n_boot, axis=0))
    return kb.astype(float), np.repeat(n_rows, n_boot, axis=0).astype(float)


def _usable_rows(form: str, x: np.ndarray, n_rows: np.ndarray) -> np.ndarray:
    """_usable() for every row of a (R, bins) count matrix."""
    informative = (x > 0) if form == WEIBULL else np.ones(len(x), dtype=bool)
    same_x = (x[:, None] == np.unique(x)[None, :]) & informative[:, None]  # bins -> informative values
    return (((n_rows @ same_x) > 0).sum(axis=1) >= 2) & (n_rows.sum(axis=1) >= MIN_TRIALS)


def _resampled(form: str, x, g, kb: np.ndarray, nb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Threshold and slope of every resample (nan where a resample cannot determine a curve)."""
    thresholds = np.full(len(kb), np.nan)
    slopes = np.full(len(kb), np.nan)
    usable = _usable_rows(form, x, nb)
    if usable.any():
        thetas, _nll = _fit_many(form, x, g, kb[usable], nb[usable])
        chances = (nb[usable] @ g) / nb[usable].sum(axis=1)
        thresholds[usable], slopes[usable] = _thresholds_and_slopes(form, thetas, chances)
    return thresholds, slopes


def _interval(samples, percentiles: tuple[float, float] = (2.5, 97.5)) -> tuple[float, float]:
    a = np.asarray(samples, dtype=float)
    a = a[np.isfinite(a)]
    if len(a) < 2:
        return (math.nan, math.nan)
    low, high = np.percentile(a, list(percentiles))
    return (float(low), float(high))


def wilson_interval(k: np.ndarray, n: np.ndarray, z: float = 1.959964) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval of a binomial proportion k / n (per element)."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1.0 + z * z / n
        center = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return np.clip(center - half, 0.0, 1.0), np.clip(center + half, 0.0, 1.0)
