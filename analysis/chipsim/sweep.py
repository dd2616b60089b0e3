"""Sweeps: selecting points, sensitivity indices and scenario discovery.

A sweep file (``chipsim sweep``) has a ``point`` dimension ahead of ``replicate``, one
coordinate per swept key named after it, the design's unit coordinates (``design_unit``),
its structure (``design_group``, ``design_role``) and settings (``design_*`` attributes).
The functions here read only that layout, so they run unchanged on any dataset written in
it - the verification functions of the test suite (Ishigami, Sobol's G, a planted box) use
the same format.

- :func:`sobol_indices` - first-order (Saltelli et al. 2010) and total-order (Jansen 1999)
  indices from a ``saltelli`` design, with bootstrap confidence intervals over base samples;
- :func:`morris_indices` - elementary effects (Morris 1991): mu, mu* (Campolongo et al.
  2007), sigma, with bootstrap intervals over trajectories;
- :func:`prim` - the Patient Rule Induction Method (Friedman & Fisher 1999): peeling,
  pasting, the coverage-density trade-off and the box limits;
- :func:`to_ema` - ``(experiments, outcomes)`` as EMA Workbench expects them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from .data import ChipsimFileError, aggregate


def _attr(ds, name, default=None):
    v = ds.attrs.get(name, default)
    return v.decode() if isinstance(v, bytes) else v


def swept_keys(ds: xr.Dataset) -> list[str]:
    """The swept scenario keys, in the design's order."""
    keys = _attr(ds, "design_keys")
    if keys is None or "point" not in ds.dims:
        raise ChipsimFileError(f"{ds.attrs.get('chipsim_path', 'this dataset')} is not a sweep "
                               f"(no point dimension); run chipsim sweep")
    return [k for k in str(keys).split(",") if k]


def design_type(ds: xr.Dataset) -> str:
    return str(_attr(ds, "design_type", ""))


def design_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per point: the swept values, indexed by ``point``."""
    keys = swept_keys(ds)
    return pd.DataFrame({k: ds[k].values for k in keys},
                        index=pd.Index(ds["point"].values, name="point"))


def select_points(ds, values: dict, rtol: float = 1e-9):
    """The points whose swept values equal ``values`` (a dict, since keys hold dots), e.g.
    ``select_points(ds, {"inventory.huawei-hbm.quantity": 9e6})``; ``point`` keeps its
    labels. For a single key, ``ds.set_xindex(key).sel({key: value})`` also works (xarray
    cannot align arithmetic across several indexes on one dimension, so :func:`open` sets
    none)."""
    keys = swept_keys(ds)
    mask = np.ones(ds.sizes["point"], dtype=bool)
    for k, v in values.items():
        if k not in keys:
            raise KeyError(f"{k!r} is not swept; the swept keys are {', '.join(keys)}")
        x = ds[k].values
        hit = np.isclose(x, v, rtol=rtol, atol=0)
        if not hit.any():
            raise KeyError(f"{k} = {v} is not a swept value; the values are "
                           f"{', '.join(map(str, np.unique(x)))}")
        mask &= hit
    return ds.isel(point=np.flatnonzero(mask))


def point_outcome(ds: xr.Dataset, var: str, year=None, *, stat: str = "mean", **sel):
    """One number per point: ``var`` aggregated by its declared rule over the selection and
    the calendar ``year`` (or the whole horizon when None), then the mean (or median) over
    replicates. Common random numbers make the differences between points paired."""
    freq = "year" if year is not None else "total"
    da = aggregate(ds, var, freq=freq, **sel)
    if year is not None:
        da = da.sel(year=year)
    if "replicate" in da.dims:
        da = da.mean("replicate") if stat == "mean" else da.median("replicate")
    elif "stat" in da.dims:
        da = da.sel(stat=stat)
    return da.compute().rename(var)


def _values(ds, y):
    y = np.asarray(y.values if isinstance(y, xr.DataArray) else y, dtype=float)
    if y.shape != (ds.sizes["point"],):
        raise ValueError(f"expected one value per point ({ds.sizes['point']}), got shape "
                         f"{y.shape}; reduce replicates first (point_outcome)")
    return y


def _structure(ds, y, kind: str, what: str):
    """The swept keys, y per point, and the design's role and group of each point."""
    if design_type(ds) != kind:
        raise ChipsimFileError(f"{what} need a {kind} design; this sweep's is "
                               f"{design_type(ds)!r}")
    return (swept_keys(ds), _values(ds, y), ds["design_role"].values,
            ds["design_group"].values)


def _ci(samples, conf):
    a = (1 - conf) / 2
    return np.quantile(samples, a, axis=0), np.quantile(samples, 1 - a, axis=0)


def sobol_indices(ds: xr.Dataset, y, *, n_boot: int = 1000, conf: float = 0.95,
                  seed: int = 0) -> pd.DataFrame:
    """First- and total-order Sobol indices of ``y`` (one value per point) from a
    ``saltelli`` design: per base sample j the points A_j, AB_j^i (A_j with column i from
    B_j) and B_j. With f centred on its mean over A and B, and V its variance there,

        S1_i = mean( f(B) (f(AB^i) - f(A)) ) / V          (Saltelli et al. 2010, eq. b)
        ST_i = mean( (f(A) - f(AB^i))^2 ) / (2 V)          (Jansen 1999)

    Confidence intervals: percentile bootstrap over base samples (``n_boot`` resamples).
    Columns: parameter, S1, S1_low, S1_high, ST, ST_low, ST_high."""
    keys, f, role, group = _structure(ds, y, "saltelli", "Sobol indices")
    k = len(keys)
    n = int(group.max()) + 1
    fa = np.full(n, np.nan)
    fb = np.full(n, np.nan)
    fab = np.full((n, k), np.nan)
    for v, r, g in zip(f, role, group):
        if r == -1:
            fa[g] = v
        elif r == k:
            fb[g] = v
        else:
            fab[g, r] = v
    ok = np.isfinite(fa) & np.isfinite(fb) & np.isfinite(fab).all(axis=1)
    fa, fb, fab = fa[ok], fb[ok], fab[ok]

    def estimate(idx):
        # Centred on the mean of A and B, as SALib does: the first-order estimator's variance
        # grows with the square of the output's mean, which for a share near 0.8 with a
        # spread of a few points would swamp it.
        mean = np.mean(np.concatenate([fa[idx], fb[idx]]))
        a, b, ab = fa[idx] - mean, fb[idx] - mean, fab[idx] - mean
        var = np.var(np.concatenate([a, b]), ddof=1)
        if var == 0:
            return np.zeros(k), np.zeros(k)
        s1 = np.mean(b[:, None] * (ab - a[:, None]), axis=0) / var
        st = 0.5 * np.mean((a[:, None] - ab) ** 2, axis=0) / var
        return s1, st

    m = len(fa)
    s1, st = estimate(np.arange(m))
    rng = np.random.default_rng(seed)
    boot = [estimate(rng.integers(0, m, m)) for _ in range(n_boot)]
    b1 = np.array([x[0] for x in boot])
    bt = np.array([x[1] for x in boot])
    lo1, hi1 = _ci(b1, conf)
    lot, hit = _ci(bt, conf)
    return pd.DataFrame({"parameter": keys, "S1": s1, "S1_low": lo1, "S1_high": hi1,
                         "ST": st, "ST_low": lot, "ST_high": hit})


def morris_indices(ds: xr.Dataset, y, *, n_boot: int = 1000, conf: float = 0.95,
                   seed: int = 0) -> pd.DataFrame:
    """Morris elementary effects of ``y`` (one value per point) from a ``morris`` design.
    Along each trajectory consecutive points differ in one parameter i by +-delta in the unit
    cube; EE_i = (y_next - y_prev) / (u_next - u_prev). mu is their mean, mu* the mean of
    their absolute values (Campolongo et al. 2007), sigma their standard deviation;
    intervals are percentile bootstraps over trajectories. Columns: parameter, mu, mu_star,
    mu_star_low, mu_star_high, sigma, sigma_low, sigma_high."""
    keys, f, role, group = _structure(ds, y, "morris", "Morris indices")
    k = len(keys)
    unit = ds["design_unit"].values
    t = int(group.max()) + 1
    ee = np.full((t, k), np.nan)
    for p in range(1, len(f)):
        i = role[p]
        if i < 0 or group[p] != group[p - 1]:
            continue
        ee[group[p], i] = (f[p] - f[p - 1]) / (unit[p, i] - unit[p - 1, i])

    def estimate(idx):
        e = ee[idx]
        return (np.nanmean(e, axis=0), np.nanmean(np.abs(e), axis=0),
                np.nanstd(e, axis=0, ddof=1))

    mu, mu_star, sigma = estimate(np.arange(t))
    rng = np.random.default_rng(seed)
    boot = [estimate(rng.integers(0, t, t)) for _ in range(n_boot)]
    lo_s, hi_s = _ci(np.array([b[1] for b in boot]), conf)
    lo_g, hi_g = _ci(np.array([b[2] for b in boot]), conf)
    return pd.DataFrame({"parameter": keys, "mu": mu, "mu_star": mu_star,
                         "mu_star_low": lo_s, "mu_star_high": hi_s, "sigma": sigma,
                         "sigma_low": lo_g, "sigma_high": hi_g})


@dataclass
class PrimResult:
    """The peeling trajectory of :func:`prim` and its boxes.

    ``trajectory`` has one row per box: ``coverage`` (share of all cases of interest inside
    the box), ``density`` (share of the box's points that are of interest), ``mass`` (share
    of all points inside) and ``restricted`` (how many dimensions the box limits). ``boxes``
    holds each box's limits as a DataFrame (columns ``low``, ``high``, index the inputs)."""
    trajectory: pd.DataFrame
    boxes: list = field(default_factory=list)
    inputs: list = field(default_factory=list)
    _paste: object = field(default=None, repr=False)  # set by prim(): the data stay with it
    _stats: object = field(default=None, repr=False)
    _full: object = field(default=None, repr=False)

    def box(self, i: int = -1) -> pd.DataFrame:
        return self.boxes[i]

    def select(self, min_density: float) -> int:
        """The box of highest coverage whose density is at least ``min_density``."""
        ok = self.trajectory.index[self.trajectory["density"] >= min_density]
        if not len(ok):
            raise ValueError(f"no box reaches density {min_density}; the highest is "
                             f"{self.trajectory['density'].max():.3f}")
        return int(self.trajectory.loc[ok, "coverage"].idxmax())

    def limits(self, i: int) -> pd.DataFrame:
        """Box i's restricted dimensions only."""
        b = self.boxes[i]
        return b[b["restricted"]]

    def paste(self, i: int) -> tuple[pd.DataFrame, dict]:
        """Box i after pasting: each limit widened back by alpha steps while that raises
        the density (Friedman & Fisher 1999, section 4). Returns its limits (as
        :meth:`box`) and its coverage, density and mass."""
        lo, hi = self._paste(self.boxes[i])
        full_lo, full_hi = self._full
        cov, den, mass = self._stats(lo, hi)
        restricted = (lo > full_lo) | (hi < full_hi)
        box = pd.DataFrame({"low": lo, "high": hi, "restricted": restricted},
                           index=self.boxes[i].index)
        return box, {"coverage": cov, "density": den, "mass": mass}


def _box_stats(inside, y, total):
    n = inside.sum()
    hit = y[inside].sum()
    return (hit / total if total else 0.0, hit / n if n else 0.0, n / len(y))


def prim(x: pd.DataFrame, y, *, alpha: float = 0.05, min_mass: float = 0.05) -> PrimResult:
    """Patient Rule Induction Method (Friedman & Fisher 1999) for scenario discovery.

    ``x``: inputs, one row per case (e.g. :func:`design_table`); ``y``: True for the cases
    of interest (e.g. ``share >= 0.6``). Starting from the box that holds every case, each
    peel removes the ``alpha`` share of the remaining cases at the low or high end of one
    input - whichever leaves the box with the highest density - until the box holds less
    than ``min_mass`` of all cases. The trajectory of peeled boxes trades coverage for
    density; :meth:`PrimResult.select` picks a box for a density threshold and
    :meth:`PrimResult.paste` widens it back where that raises its density."""
    xv = x.to_numpy(dtype=float)
    yv = np.asarray(y, dtype=bool)
    if len(yv) != len(xv):
        raise ValueError(f"x has {len(xv)} rows but y has {len(yv)} values")
    total = yv.sum()
    lo = xv.min(axis=0).astype(float)
    hi = xv.max(axis=0).astype(float)
    full_lo, full_hi = lo.copy(), hi.copy()

    def inside_of(lo_, hi_):
        return np.all((xv >= lo_) & (xv <= hi_), axis=1)

    boxes, rows = [], []

    def record(lo_, hi_):
        inside = inside_of(lo_, hi_)
        cov, den, mass = _box_stats(inside, yv, total)
        restricted = (lo_ > full_lo) | (hi_ < full_hi)
        rows.append({"coverage": cov, "density": den, "mass": mass,
                     "restricted": int(restricted.sum())})
        boxes.append(pd.DataFrame({"low": lo_, "high": hi_, "restricted": restricted},
                                  index=pd.Index(x.columns, name="input")))

    def pasted(lo_, hi_):
        lo_, hi_ = np.array(lo_, float), np.array(hi_, float)
        while True:
            inside = inside_of(lo_, hi_)
            base = yv[inside].mean() if inside.any() else 0.0
            best, best_den = None, base
            for j in range(xv.shape[1]):
                n_add = max(1, int(round(alpha * inside.sum())))
                for side in ("low", "high"):
                    cand_lo, cand_hi = lo_.copy(), hi_.copy()
                    others = np.all(((xv >= lo_) & (xv <= hi_))[:, np.arange(xv.shape[1]) != j],
                                    axis=1)
                    if side == "low":
                        out = others & (xv[:, j] < lo_[j])
                        if not out.any():
                            continue
                        cand_lo[j] = np.sort(xv[out, j])[::-1][:n_add].min()
                    else:
                        out = others & (xv[:, j] > hi_[j])
                        if not out.any():
                            continue
                        cand_hi[j] = np.sort(xv[out, j])[:n_add].max()
                    ins = inside_of(cand_lo, cand_hi)
                    den = yv[ins].mean()
                    if den > best_den + 1e-12:
                        best, best_den = (cand_lo, cand_hi), den
            if best is None:
                return lo_, hi_
            lo_, hi_ = best

    record(lo, hi)
    while True:
        inside = inside_of(lo, hi)
        if inside.sum() / len(yv) < min_mass:
            break
        best = None
        for j in range(xv.shape[1]):
            vals = xv[inside, j]
            for side in ("low", "high"):
                cut = np.quantile(vals, alpha if side == "low" else 1 - alpha)
                cand_lo, cand_hi = lo.copy(), hi.copy()
                if side == "low":
                    keep = vals >= cut
                    if keep.all():  # ties: remove at least the lowest value
                        keep = vals > vals.min()
                    cand_lo[j] = vals[keep].min() if keep.any() else lo[j]
                else:
                    keep = vals <= cut
                    if keep.all():
                        keep = vals < vals.max()
                    cand_hi[j] = vals[keep].max() if keep.any() else hi[j]
                ins = inside_of(cand_lo, cand_hi)
                if ins.sum() == 0 or ins.sum() == inside.sum():
                    continue
                den = yv[ins].mean()
                if best is None or den > best[0]:
                    best = (den, cand_lo, cand_hi)
        if best is None:
            break
        _, lo, hi = best
        if inside_of(lo, hi).sum() / len(yv) < min_mass:
            break
        record(lo, hi)
    return PrimResult(pd.DataFrame(rows), boxes, list(x.columns),
                      _paste=lambda b: pasted(b["low"].to_numpy(float), b["high"].to_numpy(float)),
                      _stats=lambda lo_, hi_: _box_stats(inside_of(lo_, hi_), yv, total),
                      _full=(full_lo, full_hi))


def prim_sweep(ds: xr.Dataset, y, threshold: float, *, above: bool = True,
               **kwargs) -> PrimResult:
    """:func:`prim` on a sweep: the inputs are the swept values, the cases of interest the
    points where ``y`` (one value per point, e.g. from :func:`point_outcome`) is at least
    (``above``) or below ``threshold``."""
    v = _values(ds, y)
    hit = v >= threshold if above else v < threshold
    return prim(design_table(ds), hit, **kwargs)


def to_ema(ds: xr.Dataset, variables=("domestic_share_units",), **sel):
    """``(experiments, outcomes)`` shaped as EMA Workbench's ``perform_experiments``
    returns them: one experiment per (point, replicate), a DataFrame with a column per
    swept key plus ``point``, ``replicate``, ``scenario``, ``policy`` and ``model``; and
    a dict of arrays, one per variable, of shape (experiments, periods), aggregated by the
    file's rules over the selection (e.g. ``region="CN"``)."""
    keys = swept_keys(ds)
    npt, nrep = ds.sizes["point"], ds.sizes["replicate"]
    point = np.repeat(ds["point"].values, nrep)
    rep = np.tile(ds["replicate"].values, npt)
    exp = pd.DataFrame({k: np.repeat(ds[k].values, nrep) for k in keys})
    exp["point"] = point
    exp["replicate"] = rep
    exp["scenario"] = [f"{p}_{r}" for p, r in zip(point, rep)]
    exp["policy"] = str(_attr(ds, "scenario", "baseline"))
    exp["model"] = "chipsim"
    outcomes = {}
    for v in ([variables] if isinstance(variables, str) else variables):
        da = aggregate(ds, v, **sel).transpose("point", "replicate", "period")
        outcomes[v] = da.values.reshape(npt * nrep, -1)
    outcomes["TIME"] = np.tile(ds["decimal_year"].values, (npt * nrep, 1))
    return exp, outcomes
