"""Calibration targets (the format of scenarios/calibration/targets.toml), evaluated on a
chipsim output file the way `chipsim calibrate` does: a variable aggregated over a calendar
year and over every cell the selection leaves by the rule the file declares for it
(chipsim.aggregate), or a ratio of two such aggregates; the statistic (mean or median) and
the 5-95% range over replicates."""
from __future__ import annotations

import tomllib

import numpy as np
import xarray as xr

from . import data


def load(path) -> list[dict]:
    with open(path, "rb") as f:
        return tomllib.load(f)["target"]


def _yearly(ds: xr.Dataset, var: str, select: dict, year: int) -> xr.DataArray:
    """A variable over one calendar year at a selection, by the file's declared rule."""
    x = data.aggregate(ds, var, freq="year", **select)
    if year not in x["year"].values:
        raise KeyError(f"year {year} is outside the file's horizon")
    return x.sel(year=year)


def evaluate(ds: xr.Dataset, targets) -> list[dict]:
    if "replicate" not in ds.dims:
        raise data.ChipsimFileError("evaluating targets needs per-replicate data; this file "
                                    "holds summaries only")
    if not isinstance(targets, list):
        targets = load(targets)
    rows = []
    for t in targets:
        sel = dict(t.get("select", {}))
        if "variable" in t:
            x = _yearly(ds, t["variable"], sel, t["year"])
        else:
            n = _yearly(ds, t["numerator"], sel, t["year"])
            d = _yearly(ds, t["denominator"], sel, t["year"])
            x = xr.where(d != 0, n / d, 0.0)
        v = np.asarray(x.compute().values, dtype=float)
        stat = float(np.median(v)) if t.get("stat", "mean") == "median" else float(v.mean())
        rows.append({"name": t["name"], "year": t["year"], "value": t["value"],
                     "low": t["low"], "high": t["high"], "statistic": stat,
                     "p05": float(np.percentile(v, 5)), "p95": float(np.percentile(v, 95)),
                     "in_band": t["low"] <= stat <= t["high"]})
    return rows
