"""Loading chipsim output and turning it into tables.

Every function takes the xarray.Dataset that :func:`open` returns. Per-replicate files have
a ``replicate`` dimension; summary-only files have a ``stat`` dimension instead (mean, p05,
p25, p50, p75, p95), and the functions below accept either. A ``point`` dimension (design
points of a parameter sweep) is kept as a grouping dimension wherever it appears.
"""
from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
import xarray as xr

FORMAT = "chipsim-output-1"
STATS = ("mean", "p05", "p25", "p50", "p75", "p95")
_ENTITY_DIMS = ("product", "vendor", "region", "channel", "buyer", "ecosystem")
# Dimensions the functions below understand; any other (say, "scenario" after xr.concat) is
# an error unless kept with by=..., never summed silently.
_SAMPLE_DIMS = ("replicate", "stat")
_KNOWN_DIMS = (*_SAMPLE_DIMS, "point", "period", *_ENTITY_DIMS)
# Auxiliary coordinates usable as selections: name -> the dimension they label.
_AUX = {"product_vendor": "product", "vendor_region": "vendor", "buyer_region": "buyer"}


class ChipsimFileError(ValueError):
    """The file is missing, is not chipsim output, or cannot be used as asked."""


def _check_file(path: str) -> dict:
    import h5py  # only to read the root attributes cheaply

    if not os.path.exists(path):
        raise ChipsimFileError(f"{path}: no such file")
    try:
        with h5py.File(path, "r") as f:
            attrs = {k: f.attrs[k] for k in f.attrs}
    except OSError as e:
        raise ChipsimFileError(f"{path}: not an HDF5 file ({e})") from None
    fmt = attrs.get("format")
    if isinstance(fmt, bytes):
        fmt = fmt.decode()
    if fmt != FORMAT:
        raise ChipsimFileError(
            f"{path}: not written by chipsim (expected the root attribute "
            f"format = '{FORMAT}', found {fmt!r})")
    return attrs


def _chunks():
    """Dask chunks along replicates when dask is installed; otherwise xarray's lazy arrays."""
    try:
        import dask  # noqa: F401
    except ImportError:
        return None
    return {"replicate": 256}


def open(path: str, *, allow_partial: bool = False) -> xr.Dataset:  # noqa: A001
    """Open a chipsim output file as a lazy xarray.Dataset.

    Per-replicate files give variables with dimensions (replicate, period, ...); nothing is
    read until it is used, and with dask installed the arrays are chunked along replicates,
    so files larger than memory work. A ``--summary-only`` file gives its /summary group:
    the same variables with a ``stat`` dimension instead of ``replicate``.
    ``time`` (the period's start, a datetime: ``ds.groupby("time.year")``; for
    ``.sel(time="2027")`` use :func:`by_time`) and ``decimal_year`` are coordinates of
    ``period``; the
    run's provenance (scenario, seed, replicates, command line) is in ``ds.attrs``. Each
    variable declares how it aggregates (``cell_methods``, ``aggregation``, ``numerator`` /
    ``denominator``, ``weight``); :func:`aggregate` and everything built on it follow that
    declaration. ``event_period`` records when each stochastic policy event fired (NaN:
    never).

    Raises ChipsimFileError for a missing file, a file chipsim did not write, or (unless
    ``allow_partial``) an interrupted run.
    """
    path = os.fspath(path)
    attrs = _check_file(path)
    sweep = "sweep_identity" in attrs
    if not int(attrs.get("complete", 0)) and not allow_partial:
        if sweep:
            raise ChipsimFileError(
                f"{path}: incomplete sweep (or an unmerged shard); finish it with `chipsim "
                f"sweep ... --resume` or `chipsim merge`, or pass allow_partial=True (work not "
                f"done reads as NaN)")
        raise ChipsimFileError(
            f"{path}: incomplete run ({int(attrs.get('replicates_written', 0))} of "
            f"{int(attrs.get('replicates', 0))} replicates); finish it with `chipsim run ... "
            f"--resume`, or pass allow_partial=True")
    summary_only = bool(int(attrs.get("summary_only", 0)))
    if summary_only:
        ds = xr.open_dataset(path, engine="h5netcdf", group="summary")
        ds.attrs = {**{k: _plain(v) for k, v in attrs.items()}, **ds.attrs}
    else:
        ds = xr.open_dataset(path, engine="h5netcdf", chunks=_chunks())
        if allow_partial and not sweep:  # only the replicates on disk
            ds = ds.isel(replicate=slice(0, int(attrs.get("replicates_written", 0))))
    for aux in ("decimal_year", "time", "product_vendor", "vendor_region", "buyer_region",
                "channel_legal", "event_policy", "event_kind", "design_group", "design_role",
                "point_error"):
        if aux in ds.data_vars:
            ds = ds.set_coords(aux)

    ds.attrs["chipsim_path"] = path
    ds.attrs["chipsim_summary_only"] = int(summary_only)
    return ds


def by_time(ds):
    """The dataset (or DataArray) indexed by ``time`` instead of ``period`` labels, so that
    ``by_time(ds).sel(time="2027")`` or ``.sel(time=slice("2026", "2027"))`` select by date;
    ``period`` stays as a coordinate. (xarray cannot align two indexes on one dimension, so
    ``open`` keeps ``period`` as the index.)"""
    return ds.swap_dims(period="time")


def _plain(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _variables(ds: xr.Dataset) -> list[str]:
    return [v for v in ds.data_vars if "period" in ds[v].dims]


def _select(da: xr.DataArray, sel: dict) -> xr.DataArray:
    """Select labels; a key may be a dimension or an auxiliary coordinate such as
    ``buyer_region`` (every buyer of that region), also named by the dimension its values
    name (``region="CN"`` on a buyer variable)."""
    for key, label in sel.items():
        if key not in da.dims:  # region="CN" on a buyer variable: its buyer_region
            key = next((a for a, d in _AUX.items() if d in da.dims and a.endswith("_" + key)),
                       key)
        if key in _AUX and _AUX[key] in da.dims:
            values = [str(x) for x in da[key].values]
            labels = label if isinstance(label, (list, tuple)) else [label]
            bad = [x for x in labels if x not in values]
            if bad:
                raise KeyError(f"{key} {bad[0]!r} matches nothing in {da.name}: expected one of "
                               f"{', '.join(sorted(set(values)))}")
            da = da.isel({_AUX[key]: [i for i, x in enumerate(values) if x in labels]})
            continue
        if key not in da.dims:
            raise KeyError(f"{da.name} has no dimension {key!r}; its dimensions are "
                           f"{', '.join(str(d) for d in da.dims)}")
        labels = list(da[key].values)
        for one in (label if isinstance(label, (list, tuple)) else [label]):
            if one not in labels:
                raise KeyError(f"{key} {one!r} is not in {da.name}: expected one of "
                               f"{', '.join(map(str, labels))}")
        da = da.sel({key: label})
    return da


def _variable(ds: xr.Dataset, var: str) -> xr.DataArray:
    if var not in ds.data_vars:
        raise KeyError(f"no variable {var!r}; the file has {', '.join(_variables(ds))}")
    return ds[var]


def rule(da: xr.DataArray) -> dict:
    """The aggregation a variable declares in the file: ``time`` ("sum" for flows, "point"
    for stocks at the period's end, "mean" for rates and prices, from CF ``cell_methods``),
    ``cells`` ("sum", "ratio", "weighted_mean" or "none") and, for ratios and weighted means,
    the variables they are built from."""
    methods = str(da.attrs.get("cell_methods", ""))
    if not methods.startswith("period: ") or "aggregation" not in da.attrs:
        raise ChipsimFileError(
            f"{da.name} declares no aggregation rule (cell_methods / aggregation attributes); "
            f"the file was written by an older chipsim - run it again")
    return {"time": methods.split()[1], "cells": str(da.attrs["aggregation"]),
            "numerator": da.attrs.get("numerator"), "denominator": da.attrs.get("denominator"),
            "weight": da.attrs.get("weight"), "kind": str(da.attrs.get("display", "index"))}


def _check_dims(da: xr.DataArray, keep) -> None:
    unknown = [d for d in da.dims if d not in _KNOWN_DIMS and d not in keep and d != "event"]
    if unknown:
        d = unknown[0]
        raise ValueError(
            f"{da.name} has a dimension {d!r} that chipsim does not know how to aggregate; "
            f"select one label (ds.sel({d}=...)) or keep it with by=[{d!r}] - it is never "
            f"summed silently")


def _year_of(da: xr.DataArray) -> np.ndarray:
    return np.floor(da["decimal_year"].values).astype(int)


def _over_time(da: xr.DataArray, how: str, freq: str) -> xr.DataArray:
    if freq == "period":
        return da
    if freq == "total":  # the whole span of periods given
        if how == "sum":
            return da.sum("period")
        if how == "point":
            return da.isel(period=-1, drop=True)
        raise ValueError(f"no aggregation over periods for time rule {how!r}")
    if freq != "year":
        raise ValueError(f"freq must be 'period', 'year' or 'total', got {freq!r}")
    g = da.assign_coords(year=("period", _year_of(da))).groupby("year")
    if how == "sum":
        return g.sum("period")
    if how == "point":
        return g.last(skipna=False)
    raise ValueError(f"no yearly aggregation for time rule {how!r}")


def _cells(da: xr.DataArray, keep, var: str, addable: bool) -> xr.DataArray:
    other = [d for d in da.dims if d in _ENTITY_DIMS and d not in keep]
    if not other:
        return da
    if not addable:
        big = [d for d in other if da.sizes[d] > 1]
        if big:
            raise ValueError(f"{var} does not add up over {', '.join(big)} (a "
                             f"{da.attrs.get('display', 'category')}); select one label")
        return da.squeeze(other, drop=True)
    return da.sum(other)


def aggregate(ds: xr.Dataset, var: str, by=None, *, freq: str = "period", given=None,
              **sel) -> xr.DataArray:
    """``var`` aggregated by the rule the file declares for it, per replicate.

    Dimensions not in ``by`` are combined after the selection in ``sel`` (a dimension or an
    auxiliary coordinate, e.g. ``region="CN"`` or ``buyer_region="CN"``): flows and stocks
    are added, shares become the ratio of their aggregated numerator and denominator, prices
    a quantity-weighted mean; categories and indices are refused unless one cell is left.
    ``freq="year"`` aggregates each calendar year: flows summed, stocks at year end, shares
    as the ratio of the year's sums, prices weighted by the year's quantities;
    ``freq="total"`` the whole span of periods given (select it first, e.g.
    ``ds.isel(period=slice(6, 8))``). ``given``
    keeps only the replicates matching an event condition (:func:`event_mask`); the others
    become NaN. The result keeps ``point``, ``replicate`` (or ``stat``), the ``by``
    dimensions and ``period`` or ``year``.
    """
    if isinstance(by, str):
        by = [by]
    by = list(by or [])
    da = _select(_variable(ds, var), sel)
    _check_dims(da, by)
    r = rule(da)
    reduce = [d for d in da.dims if d in _ENTITY_DIMS and d not in by and da.sizes[d] > 1]
    if "stat" in da.dims:  # a summary-only file: statistics per cell cannot be combined
        if reduce or freq != "period":
            raise ChipsimFileError(
                f"{ds.attrs.get('chipsim_path', 'this file')} holds summaries only: quantiles "
                f"of {var} per cell and period cannot be added into "
                f"{'years' if freq != 'period' else ', '.join(reduce)}; run without "
                f"--summary-only for aggregates")
        out = _cells(da, by, var, True)
    elif r["cells"] in ("sum", "none"):
        out = _over_time(_cells(da, by, var, r["cells"] == "sum"), r["time"], freq)
    elif r["cells"] == "ratio":
        if not reduce and freq == "period" and (r["numerator"] not in ds or
                                                r["denominator"] not in ds):
            out = _cells(da, by, var, True)
        else:
            n = aggregate(ds, r["numerator"], by, freq=freq, **sel)
            d = aggregate(ds, r["denominator"], by, freq=freq, **sel)
            out = xr.where(d != 0, n / d, 0.0)
    elif r["cells"] == "weighted_mean":
        w = _select(_variable(ds, r["weight"]), sel)
        keep = [d for d in da.dims if d not in _ENTITY_DIMS or d in by]
        xw = (da * w).sum([d for d in da.dims if d not in keep])
        sw = w.sum([d for d in w.dims if d not in keep])
        xw, sw = _over_time(xw, "sum", freq), _over_time(sw, "sum", freq)
        out = xr.where(sw != 0, xw / sw, np.nan)
    else:
        raise ChipsimFileError(f"{var}: unknown aggregation {r['cells']!r}")
    out = out.rename(var)
    out.attrs = dict(da.attrs)
    if given is not None:
        out = out.where(event_mask(ds, given))
    return out


def yearly(da: xr.DataArray) -> xr.DataArray:
    """One variable's values per calendar year by its declared time rule (flows summed,
    stocks at year end). Shares and prices need their numerator, denominator or weight:
    use :func:`aggregate` on the Dataset for those."""
    r = rule(da)
    if r["cells"] in ("ratio", "weighted_mean"):
        raise ValueError(f"{da.name} is a {r['cells'].replace('_', ' ')}; its yearly value "
                         f"needs other variables: use chipsim.aggregate(ds, {da.name!r}, "
                         f"freq='year')")
    return _over_time(da, r["time"], "year")


def _period_index(ds: xr.Dataset, when) -> int:
    """The last period at or before `when`: a period label ("2027Q4") or a year (2027)."""
    labels = [str(p) for p in ds["period"].values]
    if isinstance(when, (int, np.integer)) or (isinstance(when, str) and when.isdigit()):
        years = _year_of(ds["period"])
        idx = np.flatnonzero(years == int(when))
        if not idx.size:
            raise KeyError(f"year {when} is outside the horizon {labels[0]} to {labels[-1]}")
        return int(idx[-1])
    if when not in labels:
        raise KeyError(f"period {when!r} is not in the file: expected one of "
                       f"{labels[0]} ... {labels[-1]} or a year")
    return labels.index(when)


def event_mask(ds: xr.Dataset, given: dict) -> xr.DataArray:
    """Replicates matching an event condition, as a boolean DataArray over replicate (and
    point). ``given`` names the ``event`` and one of: ``fired_by`` (a period label or a
    year: fired at or before its end), ``not_fired_by``, or ``fired`` (True / False: within
    the horizon), e.g. ``{"event": "tightening", "fired_by": "2027Q4"}``."""
    if "event_period" not in ds:
        raise ChipsimFileError("this file records no events (no event_period variable)")
    given = dict(given)
    name = given.pop("event", None)
    events = [str(e) for e in ds["event"].values]
    if name not in events:
        raise KeyError(f"event {name!r} is not in the file: expected one of {', '.join(events)}")
    ep = ds["event_period"].sel(event=name, drop=True)
    if len(given) != 1:
        raise ValueError("given needs the event and exactly one of fired_by, not_fired_by, "
                         f"fired; got {sorted(given)}")
    (key, when), = given.items()
    if key == "fired":
        return ep.notnull() if when else ep.isnull()
    if key not in ("fired_by", "not_fired_by"):
        raise ValueError(f"given: unknown condition {key!r}; expected fired_by, not_fired_by "
                         f"or fired")
    fired = ep <= _period_index(ds, when)  # NaN (never) compares False
    return fired if key == "fired_by" else ~fired


def event_probability(ds: xr.Dataset, by_year: bool = False) -> pd.DataFrame:
    """Share of replicates in which each stochastic event (or trigger) fired within the
    horizon, or by the end of each year with ``by_year``. Summary-only files carry the
    horizon figure in /summary."""
    if "event_period" not in ds:
        if "event_probability" in ds:
            p = ds["event_probability"].values
            return pd.DataFrame({"event": [str(e) for e in ds["event"].values],
                                 "probability": p})
        return pd.DataFrame(columns=["event", "probability"])
    ep = ds["event_period"].compute()
    rows = []
    years = sorted(set(_year_of(ds["period"])))
    for e in ep["event"].values:
        x = ep.sel(event=e).values
        if by_year:
            for y in years:
                idx = _period_index(ds, int(y))
                rows.append({"event": str(e), "year": int(y),
                             "probability": float(np.mean(x <= idx))})
        else:
            rows.append({"event": str(e), "probability": float(np.mean(~np.isnan(x)))})
    return pd.DataFrame(rows)


def regimes(values, fired) -> dict:
    """Where an event splits an outcome into two regimes: the medians of the replicates in
    which it fired and of the others. ``shown`` is True where both regimes hold at least 5%
    of the replicates (two each) and their medians differ by at least a quarter of the
    5-95% range - the rule ``chipsim compare`` uses (docs/OUTPUT.md, "Events")."""
    v = np.asarray(values, dtype=float)
    f = np.asarray(fired, dtype=bool)
    out = {"probability": float(f.mean()) if f.size else 0.0, "median_fired": np.nan,
           "median_not": np.nan, "shown": False}
    yes, no = v[f], v[~f]
    if len(yes) < 2 or len(no) < 2 or not 0.05 <= out["probability"] <= 0.95:
        return out
    out["median_fired"] = float(np.median(yes))
    out["median_not"] = float(np.median(no))
    spread = float(np.percentile(v, 95) - np.percentile(v, 5))
    out["shown"] = spread > 0 and abs(out["median_fired"] - out["median_not"]) >= 0.25 * spread
    return out


def quantiles(da: xr.DataArray, qs=(0.05, 0.5, 0.95)) -> xr.DataArray:
    """Quantiles over replicates: exact, interpolated linearly between order statistics
    (numpy's default) for per-replicate data, NaN (replicates left out by ``given``)
    skipped; read from a summary-only file's ``stat`` dimension otherwise, where quantile q
    is the order statistic of rank floor(q (n - 1)) within the streaming sketch's 0.5%
    relative error (docs/OUTPUT.md)."""
    if "replicate" in da.dims:
        if da.chunks is not None:
            da = da.chunk({"replicate": -1})
        return da.quantile(list(qs), dim="replicate")
    if "stat" in da.dims:
        names = []
        for q in qs:
            name = f"p{round(q * 100):02d}"
            if name not in STATS:
                raise ValueError(f"a summary-only file holds p05, p25, p50, p75 and p95, not {q}")
            names.append(name)
        return da.sel(stat=names).rename(stat="quantile").assign_coords(quantile=list(qs))
    raise ValueError(f"{da.name} has neither a replicate nor a stat dimension")


def _mean(da: xr.DataArray) -> xr.DataArray:
    if "replicate" in da.dims:
        return da.mean("replicate")
    return da.sel(stat="mean", drop=True)


def to_frame(ds: xr.Dataset, variables=None, **sel) -> pd.DataFrame:
    """Tidy (long) pandas: one row per cell, columns for every dimension, ``variable``,
    ``value`` and ``units``. ``variables`` is a name or a list (default: all); keyword
    arguments select labels, e.g. ``to_frame(ds, "revenue", region="CN")``."""
    if variables is None:
        variables = _variables(ds)
    elif isinstance(variables, str):
        variables = [variables]
    frames = []
    for v in variables:
        da = _variable(ds, v)
        da = _select(da, {k: s for k, s in sel.items() if k in da.dims})
        df = da.to_dataframe(name="value").reset_index()
        df = df[[c for c in df.columns if c in da.dims or c in ("value", "decimal_year")]]
        df.insert(0, "variable", v)
        df["units"] = da.attrs.get("units", "")
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def summary(ds: xr.Dataset, var: str, by=None, *, freq: str = "period", given=None,
            qs=(0.05, 0.5, 0.95), **sel) -> pd.DataFrame:
    """Mean and quantiles of ``var`` over replicates, as a DataFrame.

    Aggregation follows the rule the file declares for ``var`` (:func:`aggregate`): after
    the selection in ``sel``, dimensions not in ``by`` are combined (added, or as a ratio of
    sums for shares, a weighted mean for prices); ``freq="year"`` aggregates each calendar
    year. ``given`` conditions on an event, e.g. ``given={"event": "tightening",
    "fired_by": "2027Q4"}``. Columns: the kept dimensions, period or year, ``mean``, one per
    quantile (``p05``, ``p50``, ``p95`` by default) and ``n`` (replicates counted). A
    ``point`` dimension is always kept; a dimension chipsim does not know raises ValueError.
    """
    da = aggregate(ds, var, by, freq=freq, given=given, **sel)
    mean = _mean(da).rename("mean")
    q = quantiles(da, qs)
    out = mean.to_dataframe().reset_index()
    qdf = q.to_dataframe(name="value").reset_index().pivot_table(
        index=[d for d in q.dims if d != "quantile"], columns="quantile", values="value",
        dropna=False)
    qdf.columns = [f"p{round(c * 100):02d}" for c in qdf.columns]
    keys = [d for d in mean.dims]
    out = out[[*keys, "mean"]].merge(qdf.reset_index(), on=keys)
    if "replicate" in da.dims:
        n = da.notnull().sum("replicate").rename("n").to_dataframe().reset_index()
        out = out.merge(n[[*keys, "n"]], on=keys)
    out.attrs["units"] = ds[var].attrs.get("units", "")
    out.attrs["display"] = ds[var].attrs.get("display", "")
    return out


def _pairable(a: xr.Dataset, b: xr.Dataset) -> None:
    for ds in (a, b):
        if "replicate" not in ds.dims:
            raise ChipsimFileError(
                f"{ds.attrs.get('chipsim_path', 'a dataset')} holds summaries only; paired "
                f"differences need per-replicate data (run without --summary-only)")
    if int(a.attrs.get("seed", -1)) != int(b.attrs.get("seed", -2)):
        raise ChipsimFileError(
            f"the runs do not pair up: seed {a.attrs.get('seed')} vs {b.attrs.get('seed')}; "
            f"run both with the same --seed for common random numbers")
    if a.sizes["replicate"] != b.sizes["replicate"]:
        raise ChipsimFileError(
            f"the runs do not pair up: {a.sizes['replicate']} vs {b.sizes['replicate']} "
            f"replicates; run both with the same -n")
    if list(a["period"].values) != list(b["period"].values):
        raise ChipsimFileError("the runs do not pair up: their periods differ")


def compare(a: xr.Dataset, b: xr.Dataset, var: str, by=None, *, freq: str = "year",
            given=None, **sel) -> pd.DataFrame:
    """Paired differences B - A of ``var`` under common random numbers.

    Both runs must have the same seed and replicates (replicate i saw the same draws), or
    ChipsimFileError says why not. Aggregation as in :func:`summary` (the file's declared
    rules); labels missing from one run (a product only one scenario has) count as zero.
    ``given`` conditions both runs on an event as recorded in A. Columns: the kept
    dimensions, year or period, ``a_mean``, ``b_mean``, ``a_p50``, ``b_p50``, ``diff_mean``,
    ``diff_ci_low`` / ``diff_ci_high`` (95%, normal approximation of the paired mean) and
    ``diff_p05`` / ``diff_p95`` (spread of per-replicate differences).
    """
    _pairable(a, b)
    mask = event_mask(a, given) if given is not None else None

    def prepare(ds):
        da = aggregate(ds, var, by, freq=freq, **sel)
        return da.where(mask) if mask is not None else da

    da, db = xr.align(prepare(a), prepare(b), join="outer", fill_value=0.0)
    rel = 1e-12 * np.maximum(abs(da), abs(db))
    d = xr.where(abs(db - da) <= rel, 0.0, db - da).where(da.notnull())
    n = d.notnull().sum("replicate")
    mean = d.mean("replicate")
    se = d.std("replicate", ddof=1) / np.sqrt(n.where(n > 1)) if d.sizes["replicate"] > 1 \
        else xr.zeros_like(mean)
    se = se.fillna(0.0)

    def q(x, p):
        x = x.chunk({"replicate": -1}) if x.chunks is not None else x
        return x.quantile(p, "replicate").drop_vars("quantile")

    out = xr.Dataset({
        "a_mean": da.mean("replicate"), "b_mean": db.mean("replicate"),
        "a_p50": q(da, 0.5), "b_p50": q(db, 0.5), "diff_mean": mean,
        "diff_ci_low": mean - 1.96 * se, "diff_ci_high": mean + 1.96 * se,
        "diff_p05": q(d, 0.05), "diff_p95": q(d, 0.95),
    }).compute()
    df = out.to_dataframe().reset_index()
    df = df[[c for c in df.columns if c in out.dims or c in out.data_vars]]
    df.attrs["display"] = a[var].attrs.get("display", "")
    return df


# The per-year headline table of one region: (label, variable, selection by region) - the
# rows of `chipsim run`, `inspect` and `compare` (sim/engine/aggregate.cpp, headline_rows).
HEADLINES = (
    ("market revenue", "market_revenue", "region"),
    ("domestic revenue", "domestic_revenue", "region"),
    ("domestic share of revenue", "domestic_share_revenue", "region"),
    ("domestic share of units", "domestic_share_units", "region"),
    ("domestic share of compute added", "domestic_share_compute", "region"),
    ("accelerators delivered", "market_units", "region"),
    ("smuggled units", "smuggled_units", "region"),
    ("licence fees collected", "fees_collected", "region"),
    ("subsidy spend", "subsidy_spend", "region"),
    ("unmet budget", "unmet_budget", "buyer_region"),
    ("installed compute (physical, year end)", "installed_compute", "region"),
    ("installed compute in reference units (year end)", "installed_equivalents", "region"),
    ("effective compute (year end)", "effective_compute", "region"),
)


def headline_years(ds: xr.Dataset, region: str, years=None, *, events: bool = True) -> pd.DataFrame:
    """The per-year headline table for one region: p05 / p50 / p95 over replicates of each
    headline outcome, aggregated by the file's rules (flows summed over the year, stocks at
    year end, shares as the ratio of the year's sums). ``display`` names the display kind
    (chipsim.units). With ``events``, where an event splits an outcome into two regimes
    (:func:`regimes`), the columns ``event``, ``p_event``, ``median_fired`` and
    ``median_not`` give them (one row per such event; empty otherwise)."""
    rows = []
    per_replicate = "replicate" in ds.dims
    recorded = events and per_replicate and "event_period" in ds
    for label, var, key in HEADLINES:
        if var not in ds:
            continue
        if not per_replicate and key != "region":
            continue
        try:
            x = aggregate(ds, var, freq="year" if per_replicate else "period", **{key: region})
        except ChipsimFileError:
            continue
        if not per_replicate:  # a summary-only file: each year's last period
            x = _over_time(x, "point", "year")
        q = quantiles(x, (0.05, 0.5, 0.95)).compute()
        xv = x.compute() if per_replicate else None
        for yr in q["year"].values:
            if years is not None and int(yr) not in years:
                continue
            v = q.sel(year=yr).values
            base = {"outcome": label, "variable": var, "year": int(yr), "p05": v[0],
                    "p50": v[1], "p95": v[2], "display": ds[var].attrs.get("display", "")}
            shown = []
            if recorded:
                last = _period_index(ds, int(yr))
                for e in ds["event"].values:
                    fired = (ds["event_period"].sel(event=e) <= last).values
                    r = regimes(xv.sel(year=yr).values, fired)
                    if r["shown"]:
                        shown.append({**base, "event": str(e), "p_event": r["probability"],
                                      "median_fired": r["median_fired"],
                                      "median_not": r["median_not"]})
            rows.extend(shown or [base])
    return pd.DataFrame(rows)
