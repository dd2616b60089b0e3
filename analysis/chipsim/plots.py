"""Plots of chipsim output (matplotlib). Each returns the Axes it drew on; pass ``ax=`` to
draw into a figure of your own. Keyword arguments select labels, as in data.summary."""
from __future__ import annotations

import numpy as np
import xarray as xr

from . import data

# Colour-blind-safe qualitative palette (Okabe & Ito 2008).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]


def _axes(ax, figsize=(7, 4)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _label(ds: xr.Dataset, var: str, sel: dict) -> str:
    where = ", ".join(f"{v}" for v in sel.values())
    name = ds[var].attrs.get("long_name", var)
    return f"{name}" + (f" [{where}]" if where else "")


def _scale(units: str, values: np.ndarray):
    """A readable unit: USD -> USD bn, large counts -> thousands, shares -> %."""
    if units == "USD" and np.nanmax(np.abs(values)) >= 1e8:
        return 1e-9, "USD bn"
    if units == "1" and np.nanmax(np.abs(values)) <= 1.0:
        return 100.0, "%"
    if np.nanmax(np.abs(values)) >= 1e5:
        return 1e-3, f"thousand {units}" if units not in ("", "1") else "thousands"
    return 1.0, units


def _bands(ds: xr.Dataset, var: str, sel: dict, by=None):
    da = data._reduce_to(data._select(data._variable(ds, var), sel), by)
    if "point" in da.dims:
        if da.sizes["point"] != 1:
            raise ValueError(f"{var} has {da.sizes['point']} design points; select one with "
                             f"point=...")
        da = da.isel(point=0)
    q = data.quantiles(da, (0.05, 0.25, 0.5, 0.75, 0.95)).compute()
    return q, da.attrs.get("units", "")


def fan_chart(ds: xr.Dataset, var: str, *, ax=None, label=None, color=None, **sel):
    """Fan chart: the median over replicates with 25-75% and 5-95% bands, over time.
    Dimensions not selected are summed, e.g. ``fan_chart(ds, "domestic_share_revenue",
    region="CN")`` or ``fan_chart(ds, "revenue", vendor="NVIDIA", region="CN")``."""
    ax = _axes(ax)
    q, units = _bands(ds, var, sel)
    x = ds["decimal_year"].values
    k, unit_label = _scale(units, q.values)
    color = color or PALETTE[0]
    v = q.values * k
    ax.fill_between(x, v[0], v[4], color=color, alpha=0.18, lw=0,
                    label=None if label else "5-95%")
    ax.fill_between(x, v[1], v[3], color=color, alpha=0.35, lw=0,
                    label=None if label else "25-75%")
    ax.plot(x, v[2], color=color, lw=2, label=label or "median")
    ax.set_ylabel(unit_label)
    ax.set_title(_label(ds, var, sel), loc="left", fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=9)
    ax.margins(x=0)
    return ax


def compare_chart(runs: dict, var: str, *, ax=None, **sel):
    """Scenario comparison: one fan (median, 5-95% band) per run on the same axes.
    ``runs`` maps a label to a Dataset, e.g. {"baseline": base, "full denial": s3}."""
    ax = _axes(ax)
    scale = None
    for i, (name, ds) in enumerate(runs.items()):
        q, units = _bands(ds, var, sel)
        if scale is None:
            scale = _scale(units, q.values)
        k, unit_label = scale
        x = ds["decimal_year"].values
        c = PALETTE[i % len(PALETTE)]
        ax.fill_between(x, q.values[0] * k, q.values[4] * k, color=c, alpha=0.15, lw=0)
        ax.plot(x, q.values[2] * k, color=c, lw=2, label=name)
        ax.set_ylabel(unit_label)
    first = next(iter(runs.values()))
    ax.set_title(_label(first, var, sel) + " - median and 5-95%", loc="left", fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=9)
    ax.margins(x=0)
    return ax


def market_share(ds: xr.Dataset, region: str, *, by: str = "vendor", ax=None):
    """Stacked shares of a region's market over time (means over replicates): by vendor
    (legal revenue) or by product (units delivered through every channel)."""
    ax = _axes(ax)
    if by == "vendor":
        da = data._select(ds["revenue"], {"region": region})
        what = "revenue"
    elif by == "product":
        da = data._select(ds["units_sold"], {"region": region}).sum("channel")
        what = "units"
    else:
        raise ValueError(f"by must be 'vendor' or 'product', got {by!r}")
    m = data._mean(da).compute()
    if "point" in m.dims:
        m = m.isel(point=0)
    total = m.sum(by)
    share = xr.where(total > 0, m / total, 0.0).transpose("period", by)
    keep = [str(n) for n in share[by].values if float(share.sel({by: n}).max()) > 0.005]
    x = ds["decimal_year"].values
    ys = [share.sel({by: n}).values * 100 for n in keep]
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(keep))]
    ax.stackplot(x, *ys, labels=keep, colors=colors, alpha=0.9)
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    ax.set_title(f"share of {region}'s market by {by} ({what}, mean over replicates)",
                 loc="left", fontsize=11)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.margins(x=0)
    return ax


def chokepoint_timeline(ds: xr.Dataset, *, products=None, ax=None):
    """Which input binds each product's output, per period: the most frequent binding input
    across replicates (colour), with its frequency as opacity."""
    import matplotlib.patches as mpatches

    da = ds["binding_input"]
    if "stat" in da.dims:
        raise data.ChipsimFileError("the chokepoint timeline needs per-replicate data; this "
                                    "file holds summaries only")
    if "point" in da.dims:
        da = da.isel(point=0)
    if products is not None:
        da = data._select(da, {"product": list(products)})
    meanings = str(da.attrs.get("flag_meanings", "none demand dies memory packaging "
                                                  "components")).split()
    codes = np.rint(da.transpose("replicate", "period", "product").values).astype(int)
    n_codes = len(meanings)
    counts = np.stack([(codes == c).sum(axis=0) for c in range(n_codes)])  # code, period, product
    mode = counts.argmax(axis=0)
    freq = counts.max(axis=0) / codes.shape[0]
    colors = {"none": "#FFFFFF", "demand": "#BBBBBB", "dies": "#D55E00", "memory": "#0072B2",
              "packaging": "#E69F00", "components": "#009E73"}
    rgb = np.array([[int(colors.get(m, "#888888")[i:i + 2], 16) / 255 for i in (1, 3, 5)]
                    for m in meanings])
    img = np.ones((mode.shape[1], mode.shape[0], 4))
    img[..., :3] = rgb[mode.T]
    img[..., 3] = np.where(mode.T == 0, 0.0, 0.35 + 0.65 * freq.T)
    prods = [str(p) for p in da["product"].values]
    ax = _axes(ax, figsize=(8, 0.35 * len(prods) + 1.5))
    x = ds["decimal_year"].values
    step = x[1] - x[0] if len(x) > 1 else 0.25
    ax.imshow(img, aspect="auto", interpolation="nearest",
              extent=(x[0] - step / 2, x[-1] + step / 2, len(prods) - 0.5, -0.5))
    ax.set_yticks(range(len(prods)), prods, fontsize=9)
    ax.set_title("binding input per product (most frequent across replicates; paler = less "
                 "often)", loc="left", fontsize=11)
    handles = [mpatches.Patch(color=colors.get(m, "#888"), label=m) for m in meanings[1:]]
    ax.legend(handles=handles, frameon=False, fontsize=8, loc="upper left",
              bbox_to_anchor=(1.0, 1.0))
    return ax


def calibration_plot(ds: xr.Dataset, targets, *, ax=None):
    """Simulated statistics against published targets: for each target, the band
    (low-high, grey), the published value (black tick) and the simulated 5-95% range with
    its statistic (blue), all divided by the published value so targets of any unit share one
    axis. ``targets`` is a path to a targets TOML file (calibration/targets.toml format) or
    the list of its [[target]] tables."""
    from .targets import evaluate

    rows = evaluate(ds, targets)
    ax = _axes(ax, figsize=(8, 0.5 * len(rows) + 1.2))
    for i, r in enumerate(rows):
        v = r["value"] if r["value"] else 1.0
        ax.plot([r["low"] / v, r["high"] / v], [i, i], color="#BBBBBB", lw=10,
                solid_capstyle="butt")
        ax.plot([r["p05"] / v, r["p95"] / v], [i, i], color=PALETTE[0], lw=2.5)
        ax.plot(r["statistic"] / v, i, "o", color=PALETTE[0] if r["in_band"] else "#D55E00")
        ax.plot(1.0, i, "|", color="black", ms=16, mew=2)
    ax.set_yticks(range(len(rows)), [f"{r['name']}" for r in rows], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("relative to the published value (1 = published)")
    ax.set_title("calibration: band (grey), published (|), simulated 5-95% and statistic",
                 loc="left", fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    return ax
