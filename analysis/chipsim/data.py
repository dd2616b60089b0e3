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
    ``decimal_year`` is a coordinate of ``period``; the run's provenance (scenario, seed,
    replicates, command line) is in ``ds.attrs``.

    Raises ChipsimFileError for a missing file, a file chipsim did not write, or (unless
    ``allow_partial``) an interrupted run.
    """
    path = os.fspath(path)
    attrs = _check_file(path)
    if not int(attrs.get("complete", 0)) and not allow_partial:
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
        if allow_partial:  # only the replicates on disk
            ds = ds.isel(replicate=slice(0, int(attrs.get("replicates_written", 0))))
    if "decimal_year" in ds and "decimal_year" not in ds.coords:
        ds = ds.set_coords("decimal_year")
    for aux in ("product_vendor", "vendor_region", "buyer_region", "channel_legal"):
        if aux in ds.data_vars:
            ds = ds.set_coords(aux)
    ds.attrs["chipsim_path"] = path
    ds.attrs["chipsim_summary_only"] = int(summary_only)
    return ds


def _plain(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _variables(ds: xr.Dataset) -> list[str]:
    return [v for v in ds.data_vars if "period" in ds[v].dims]


def _select(da: xr.DataArray, sel: dict) -> xr.DataArray:
    bad = [k for k in sel if k not in da.dims]
    if bad:
        raise KeyError(f"{da.name} has no dimension {bad[0]!r}; its dimensions are "
                       f"{', '.join(str(d) for d in da.dims)}")
    for dim, label in sel.items():
        labels = list(da[dim].values)
        for one in (label if isinstance(label, (list, tuple)) else [label]):
            if one not in labels:
                raise KeyError(f"{dim} {one!r} is not in {da.name}: expected one of "
                               f"{', '.join(map(str, labels))}")
    return da.sel(sel)


def _variable(ds: xr.Dataset, var: str) -> xr.DataArray:
    if var not in ds.data_vars:
        raise KeyError(f"no variable {var!r}; the file has {', '.join(_variables(ds))}")
    return ds[var]


def _reduce_to(da: xr.DataArray, by) -> xr.DataArray:
    """Sum every dimension except period, replicate/stat, point and those in `by`."""
    keep = {"period", "replicate", "stat", "point", *(by or [])}
    other = [d for d in da.dims if d not in keep]
    return da.sum(other) if other else da


def yearly(da: xr.DataArray, how: str = "sum") -> xr.DataArray:
    """Aggregate over the periods of each calendar year: "sum" (flows), "mean", or "last"
    (stocks, the value in the year's last period). The result has a ``year`` dimension."""
    years = np.floor(da["decimal_year"].values).astype(int)
    da = da.assign_coords(year=("period", years))
    g = da.groupby("year")
    if how == "sum":
        return g.sum("period")
    if how == "mean":
        return g.mean("period")
    if how == "last":
        return g.last(skipna=False)
    raise ValueError(f"how must be 'sum', 'mean' or 'last', got {how!r}")


def quantiles(da: xr.DataArray, qs=(0.05, 0.5, 0.95)) -> xr.DataArray:
    """Quantiles over replicates: exact, interpolated linearly between order statistics
    (numpy's default) for per-replicate data; read from a summary-only file's ``stat``
    dimension otherwise, where quantile q is the order statistic of rank floor(q (n - 1))
    within the streaming sketch's 0.5% relative error (docs/OUTPUT.md)."""
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


def summary(ds: xr.Dataset, var: str, by=None, *, freq: str = "period", how: str = "sum",
            qs=(0.05, 0.5, 0.95), **sel) -> pd.DataFrame:
    """Mean and quantiles of ``var`` over replicates, as a DataFrame.

    ``by``: dimensions to keep (a name or list); all others except period are summed after
    the selection in ``sel`` (e.g. ``summary(ds, "revenue", by="vendor", region="CN")``).
    ``freq="year"`` aggregates periods per calendar year first (``how`` = sum, mean or last).
    Columns: the kept dimensions, period or year, ``mean``, and one per quantile
    (``p05``, ``p50``, ``p95`` by default). A ``point`` dimension is always kept.
    """
    if isinstance(by, str):
        by = [by]
    da = _reduce_to(_select(_variable(ds, var), sel), by)
    if freq == "year":
        da = yearly(da, how)
    elif freq != "period":
        raise ValueError(f"freq must be 'period' or 'year', got {freq!r}")
    mean = _mean(da).rename("mean")
    q = quantiles(da, qs)
    out = mean.to_dataframe().reset_index()
    qdf = q.to_dataframe(name="value").reset_index().pivot_table(
        index=[d for d in q.dims if d != "quantile"], columns="quantile", values="value")
    qdf.columns = [f"p{round(c * 100):02d}" for c in qdf.columns]
    keys = [d for d in mean.dims]
    out = out[[*keys, "mean"]].merge(qdf.reset_index(), on=keys)
    out.attrs["units"] = ds[var].attrs.get("units", "")
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
            how: str = "sum", **sel) -> pd.DataFrame:
    """Paired differences B - A of ``var`` under common random numbers.

    Both runs must have the same seed and replicates (replicate i saw the same draws), or
    ChipsimFileError says why not. Aggregation as in :func:`summary`; labels missing from
    one run (a product only one scenario has) count as zero. Columns: the kept dimensions,
    year or period, ``a_mean``, ``b_mean``, ``diff_mean``, ``diff_ci_low`` / ``diff_ci_high``
    (95%, normal approximation of the paired mean) and ``diff_p05`` / ``diff_p95`` (spread
    of per-replicate differences).
    """
    _pairable(a, b)
    if isinstance(by, str):
        by = [by]

    def prepare(ds):
        da = _reduce_to(_select(_variable(ds, var), sel), by)
        return yearly(da, how) if freq == "year" else da

    da, db = xr.align(prepare(a), prepare(b), join="outer", fill_value=0.0)
    d = (db - da)
    n = d.sizes["replicate"]
    mean = d.mean("replicate")
    se = d.std("replicate", ddof=1) / math.sqrt(n) if n > 1 else xr.zeros_like(mean)
    qd = d.chunk({"replicate": -1}) if d.chunks is not None else d
    out = xr.Dataset({
        "a_mean": da.mean("replicate"), "b_mean": db.mean("replicate"), "diff_mean": mean,
        "diff_ci_low": mean - 1.96 * se, "diff_ci_high": mean + 1.96 * se,
        "diff_p05": qd.quantile(0.05, "replicate").drop_vars("quantile"),
        "diff_p95": qd.quantile(0.95, "replicate").drop_vars("quantile"),
    }).compute()
    df = out.to_dataframe().reset_index()
    return df[[c for c in df.columns if c in out.dims or c in out.data_vars]]


def headline_years(ds: xr.Dataset, region: str, years=None) -> pd.DataFrame:
    """The per-year headline table for one region: p05 / p50 / p95 over replicates of
    market and domestic revenue, domestic revenue share (ratio of yearly sums), smuggled
    units and effective compute (year end). ``units`` is "fraction" for the share."""
    rows = []
    specs = [("market revenue", "market_revenue", None, "sum"),
             ("domestic revenue", "domestic_revenue", None, "sum"),
             ("domestic share of revenue", "domestic_revenue", "market_revenue", "sum"),
             ("smuggled units", "smuggled_units", None, "sum"),
             ("effective compute (year end)", "effective_compute", None, "last")]
    for label, num, den, how in specs:
        x = yearly(_reduce_to(_select(ds[num], {"region": region}), None), how)
        if den:
            if "replicate" not in ds.dims:
                continue  # a ratio of sums needs replicates; summaries cannot give it
            y = yearly(_reduce_to(_select(ds[den], {"region": region}), None), how)
            x = xr.where(y > 0, x / y, 0.0)
        q = quantiles(x, (0.05, 0.5, 0.95)).compute()
        for yr in q["year"].values:
            if years is not None and int(yr) not in years:
                continue
            v = q.sel(year=yr).values
            rows.append({"outcome": label, "year": int(yr), "p05": v[0], "p50": v[1],
                         "p95": v[2],
                         "units": "fraction" if den else ds[num].attrs.get("units", "")})
    return pd.DataFrame(rows)

