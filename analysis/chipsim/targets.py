"""Calibration targets (the format of scenarios/calibration/targets.toml), evaluated on a
chipsim output file the way `chipsim calibrate` does: a variable aggregated over the
target's window (a year, a range of years or of periods) and over every cell the selection
leaves by the rule the file declares for it (chipsim.aggregate), or a ratio of two such
aggregates, each side with its own selection if it has one; the statistic (mean or median)
and the 5-95% range over replicates."""
from __future__ import annotations

import tomllib

import numpy as np
import xarray as xr

from . import data


def load(path) -> list[dict]:
    with open(path, "rb") as f:
        return tomllib.load(f)["target"]


def _window(ds: xr.Dataset, t: dict) -> tuple[int, int, str]:
    """The target's time window as period indices [first, last] and a label: ``year``,
    ``years = [a, b]`` or ``periods = ["2025Q3", "2025Q4"]``."""
    labels = [str(p) for p in ds["period"].values]
    years = np.floor(ds["decimal_year"].values).astype(int)
    if "periods" in t:
        a, b = t["periods"]
        for p in (a, b):
            if p not in labels:
                raise KeyError(f"{t['name']}: period {p!r} is outside the file's horizon")
        return labels.index(a), labels.index(b), f"{a}-{b}"
    a, b = (t["years"] if "years" in t else (t["year"], t["year"]))
    idx = np.flatnonzero((years >= a) & (years <= b))
    if not idx.size or a not in years or b not in years:
        raise KeyError(f"{t['name']}: years {a}-{b} are outside the file's horizon")
    return int(idx[0]), int(idx[-1]), str(a) if a == b else f"{a}-{b}"


def _side(ds: xr.Dataset, t: dict, which: str):
    """(variable, select) of a target or of one of its ratio sides."""
    side = t[which] if which in t else t["variable"]
    if isinstance(side, dict):
        return side["variable"], dict(side.get("select", {}))
    return side, dict(t.get("select", {}))


def _over(ds: xr.Dataset, var: str, select: dict, first: int, last: int) -> xr.DataArray:
    """A variable over periods [first, last] at a selection, by the file's declared rule."""
    return data.aggregate(ds.isel(period=slice(first, last + 1)), var, freq="total", **select)


def evaluate(ds: xr.Dataset, targets) -> list[dict]:
    if "replicate" not in ds.dims:
        raise data.ChipsimFileError("evaluating targets needs per-replicate data; this file "
                                    "holds summaries only")
    if not isinstance(targets, list):
        targets = load(targets)
    rows = []
    for t in targets:
        first, last, when = _window(ds, t)
        if "variable" in t:
            x = _over(ds, *_side(ds, t, "variable"), first, last)
        else:
            n = _over(ds, *_side(ds, t, "numerator"), first, last)
            d = _over(ds, *_side(ds, t, "denominator"), first, last)
            x = xr.where(d != 0, n / d, 0.0)
        v = np.asarray(x.compute().values, dtype=float)
        stat = float(np.median(v)) if t.get("stat", "mean") == "median" else float(v.mean())
        rows.append({"name": t["name"], "year": when, "value": t["value"],
                     "low": t["low"], "high": t["high"], "statistic": stat,
                     "p05": float(np.percentile(v, 5)), "p95": float(np.percentile(v, 95)),
                     "in_band": t["low"] <= stat <= t["high"]})
    return rows
