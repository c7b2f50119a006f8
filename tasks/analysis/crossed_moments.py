"""The interval of a weighted mean of answers in a crossed participants x items design, complete
(a shared study: everyone answers every run) or incomplete (a cover study: each participant
answers a share, each cell at most once), by the method of moments (docs/report.md, "The
statistics"; docs/cover-design-results.md, "Intervals").

The estimate is theta = sum_c w_c y_c over the answers c (weights summing to 1: a pooled share
correct, the kit's macro over sub-categories, the mean of three families). Its variance under the
crossed random-effects model y_c = mu_s(c) + a_p(c) + b_i(c) + e_c (a fixed mean per stratum s of
items, people, items and cells independent, with variances sa, sb, se) is

    V = sa * sum_p u_p^2 + sb * sum_i v_i^2 + se * sum_c w_c^2,

u_p and v_i the weight of participant p's and item i's answers. Three quadratic forms of the
residuals r_c = y_c - (mean of c's stratum) measure it: Q_p = sum_p (sum_{c in p} w_c r_c)^2 (what
resampling participants measures), Q_i = the same over items (resampling items within strata) and
Q_e = sum_c (w_c r_c)^2 (the cells). Their expectations are linear in (sa, sb, se) with
coefficients that depend only on who answered what; they are computed exactly for the design at
hand, the three equations solved for the components, a negative component set to 0, and V put
together. In a complete design this is the two-way ANOVA estimate; in an incomplete one it takes
account of what the complete-design combination of resampling variances misses: each
participant's share holds different items (so Q_p also carries item variance, and Q_i person
variance), and centring removes more of each when few people share an item. The interval is
theta +- t(df) sqrt(V), df by Satterthwaite from the three forms (P - 1, I - strata, and the rest).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class CrossedMoments:
    point: float
    variance: float
    df: float
    components: tuple[float, float, float]  # participants, items, cells (their variances, unclipped)

    def interval(self, confidence: float = 0.95) -> tuple[float, float]:
        half = float(stats.t.ppf(0.5 + confidence / 2.0, self.df)) * float(np.sqrt(self.variance))
        return self.point - half, self.point + half


def crossed_moments(participant: np.ndarray, item: np.ndarray, stratum: np.ndarray, y: np.ndarray,
                    weight: np.ndarray) -> CrossedMoments | None:
    """The weighted mean of y over the answers and its variance (see the module's docstring);
    None with fewer than two participants or two items."""
    _ids, p = np.unique(np.asarray(participant), return_inverse=True)
    _ids, i = np.unique(np.asarray(item), return_inverse=True)
    _ids, s = np.unique(np.asarray(stratum), return_inverse=True)
    n_p, n_i, n_s = int(p.max(initial=-1)) + 1, int(i.max(initial=-1)) + 1, int(s.max(initial=-1)) + 1
    if n_p < 2 or n_i < 2:
        return None
    # one observation per cell (several runs of an item answered by one participant share the
    # cell's effect): its weight the sum of its answers' weights, its value their weighted mean
    weight = np.asarray(weight, dtype=np.float64)
    cells, cell = np.unique(p * n_i + i, return_inverse=True)
    w = np.bincount(cell, weights=weight)
    y = np.bincount(cell, weights=weight * np.asarray(y, dtype=np.float64)) / np.where(w > 0, w, 1.0)
    p, i = cells // n_i, cells % n_i
    s_item = np.zeros(n_i, dtype=np.int64)  # each item's stratum
    s_item[i] = s[np.unique(cell, return_index=True)[1]]
    s = s_item[i]
    n_st = np.bincount(s, minlength=n_s).astype(np.float64)
    residual = y - (np.bincount(s, weights=y, minlength=n_s) / n_st)[s]
    wr = w * residual
    t_p = np.bincount(p, weights=wr, minlength=n_p)
    t_i = np.bincount(i, weights=wr, minlength=n_i)
    q = np.array([t_p @ t_p, t_i @ t_i, wr @ wr])

    # the design: counts and weights per participant x stratum and participant x item
    count_ps = np.bincount(p * n_s + s, minlength=n_p * n_s).reshape(n_p, n_s).astype(np.float64)
    omega_ps = np.bincount(p * n_s + s, weights=w, minlength=n_p * n_s).reshape(n_p, n_s)
    x_pi = np.bincount(p * n_i + i, weights=w, minlength=n_p * n_i).reshape(n_p, n_i)
    u = np.bincount(p, weights=w, minlength=n_p)
    v = np.bincount(i, weights=w, minlength=n_i)
    m = np.bincount(i, minlength=n_i).astype(np.float64)
    ww = w * w
    share = omega_ps / n_st  # participant's weight in a stratum per answer of the stratum

    # E[Q_p]: coefficients of sa, sb, se
    pa = np.diag(u) - omega_ps @ (count_ps / n_st).T
    pb = x_pi - omega_ps[:, s_item] * (m / n_st[s_item])[None, :]
    pe = ww.sum() - 2.0 * float(np.sum(w * share[p, s])) + float(np.sum(omega_ps * share))
    # E[Q_i]
    ia = x_pi.T - v[:, None] * (count_ps[:, s_item].T / n_st[s_item][:, None])
    m2_s = np.bincount(s_item, weights=m * m, minlength=n_s)
    ib = float(np.sum(v * v * (1.0 - 2.0 * m / n_st[s_item] + m2_s[s_item] / n_st[s_item] ** 2)))
    ie = ww.sum() - float(np.sum(v * v / n_st[s_item]))
    # E[Q_e]
    c2_s = (count_ps ** 2).sum(axis=0)
    ea = float(np.sum(ww * (1.0 - 2.0 * count_ps[p, s] / n_st[s] + c2_s[s] / n_st[s] ** 2)))
    eb = float(np.sum(ww * (1.0 - 2.0 * m[i] / n_st[s] + m2_s[s] / n_st[s] ** 2)))
    ee = float(np.sum(ww * (1.0 - 1.0 / n_st[s])))
    coef = np.array([[float(np.sum(pa * pa)), float(np.sum(pb * pb)), pe],
                     [float(np.sum(ia * ia)), ib, ie],
                     [ea, eb, ee]])
    target = np.array([u @ u, v @ v, ww.sum()])
    components = np.linalg.lstsq(coef, q, rcond=None)[0]
    kept = target * (components > 0)
    variance = float(kept @ np.clip(components, 0.0, None))
    # V as a combination of the three forms, for Satterthwaite's degrees of freedom
    alpha = np.linalg.lstsq(coef.T, kept, rcond=None)[0]
    dfs = np.array([n_p - 1, max(n_i - n_s, 1), max(y.size - n_p - n_i + n_s, 1)], dtype=np.float64)
    terms = alpha * q
    denominator = float(np.sum(terms * terms / dfs))
    df = variance * variance / denominator if denominator > 0 else float(n_p - 1)
    return CrossedMoments(float(w @ y), variance, max(df, 1.0), tuple(float(c) for c in components))
