"""Plots of chipsim output (matplotlib). Each returns the Axes it drew on; pass ``ax=`` to
draw into a figure of your own. Keyword arguments select labels, as in data.summary; other
dimensions are combined by each variable's declared rule (chipsim.aggregate). Plots show
calendar years by default (``freq="period"`` for quarters), titles in words, display units
(chipsim.units) on every axis and "per year" / "per quarter" on flows."""
from __future__ import annotations

import numpy as np
import xarray as xr

from . import data, units

# Colour-blind-safe qualitative palette (Okabe & Ito 2008).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]


def _axes(ax, figsize=(7, 4)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _title(ds: xr.Dataset, var: str, sel: dict, extra: str = "") -> str:
    """The variable's long name in words, the selection, wrapped to fit a half-width figure."""
    import textwrap

    name = str(ds[var].attrs.get("long_name", var))
    name = name[:1].upper() + name[1:]
    where = ", ".join(str(v) for v in sel.values())
    return textwrap.fill(name + (f" - {where}" if where else "") + extra, width=64)


def _per(ds: xr.Dataset, var: str, freq: str) -> str:
    """" per year" / " per quarter" / " per month" for flows; "" for stocks, shares, prices."""
    r = data.rule(ds[var])
    if r["time"] != "sum" or r["cells"] != "sum":
        return ""
    if freq == "year":
        return " per year"
    labels = [str(p) for p in ds["period"].values]
    return " per quarter" if labels and "Q" in labels[0] else " per month"


def _x(da: xr.DataArray, ds: xr.Dataset):
    return da["year"].values if "year" in da.dims else ds["decimal_year"].values


def _flat_note(x, low, high) -> str:
    """Where the 5-95% band has zero width, say so: a flat band is a finding (every
    replicate agrees), not a drawing error."""
    top = float(np.nanmax(np.abs(high))) if np.isfinite(high).any() else 0.0
    zero = np.abs(high - low) <= 1e-9 * max(1.0, top)
    if not zero.any():
        return ""
    if zero.all():
        return "no spread: every replicate gives the same value"
    xs = [x[i] for i in np.flatnonzero(zero)]
    fmt = (lambda v: str(int(v))) if float(xs[0]).is_integer() else (lambda v: f"{v:.2f}")
    span = fmt(xs[0]) if len(xs) == 1 else f"{fmt(xs[0])}-{fmt(xs[-1])}"
    return f"no spread across replicates in {span}"


def _finish_axes(ax, values, kind: str, flat: str) -> None:
    """No truncated axes: non-negative quantities start at zero, shares span 0-100%; a band
    of zero width says so instead of hiding."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if kind == "share":
        ax.set_ylim(0, 100)
    elif v.size and v.min() >= 0:
        ax.set_ylim(bottom=0, top=max(1e-12, float(v.max())) * 1.08)
    if flat:
        ax.text(0.99, 0.03, flat, transform=ax.transAxes, ha="right", va="bottom", fontsize=8,
                color="#555555")
    ax.grid(alpha=0.3)
    ax.margins(x=0)


def _bands(ds: xr.Dataset, var: str, sel: dict, freq: str, given=None):
    da = data.aggregate(ds, var, None, freq=freq, given=given, **sel)
    if "point" in da.dims:
        if da.sizes["point"] != 1:
            raise ValueError(f"{var} has {da.sizes['point']} design points; select one with "
                             f"point=...")
        da = da.isel(point=0)
    return data.quantiles(da, (0.05, 0.25, 0.5, 0.75, 0.95)).compute()


def _default_freq(ds: xr.Dataset, freq):
    """Calendar years where per-replicate data allow it; a summary-only file holds per-period
    statistics that cannot be added into years, so it is shown per period."""
    if freq is not None:
        return freq
    return "year" if "replicate" in ds.dims else "period"


def fan_chart(ds: xr.Dataset, var: str, *, freq=None, given=None, ax=None,
              label=None, color=None, **sel):
    """Fan chart: the median over replicates with 25-75% and 5-95% bands, per calendar year
    by default (``freq="period"``: per quarter). Dimensions not selected are combined by the
    variable's rule, e.g. ``fan_chart(ds, "domestic_share_revenue", region="CN")``;
    ``given`` conditions on an event (chipsim.event_mask)."""
    ax = _axes(ax)
    freq = _default_freq(ds, freq)
    q = _bands(ds, var, sel, freq, given)
    kind = units.kind_of(ds[var])
    k, unit_label = units.axis_scale(kind, q.values)
    x = _x(q, ds)
    color = color or PALETTE[0]
    v = q.values * k
    ax.fill_between(x, v[0], v[4], color=color, alpha=0.18, lw=0,
                    label=None if label else "5-95% of replicates")
    ax.fill_between(x, v[1], v[3], color=color, alpha=0.35, lw=0,
                    label=None if label else "25-75%")
    ax.plot(x, v[2], color=color, lw=2, marker="o" if freq == "year" else None, ms=3,
            label=label or "median")
    ax.set_ylabel(unit_label + _per(ds, var, freq))
    ax.set_xlabel("calendar year" if freq == "year" else "year (quarters)")
    ax.set_title(_title(ds, var, sel), loc="left", fontsize=11)
    _finish_axes(ax, v, kind, _flat_note(x, v[0], v[4]) if label is None else "")
    ax.legend(frameon=False, fontsize=9)
    return ax


def compare_chart(runs: dict, var: str, *, freq=None, given=None, ax=None, **sel):
    """Scenario comparison: one median and 5-95% band per run on the same axes, per calendar
    year by default. ``runs`` maps a label to a Dataset, e.g. {"baseline": base,
    "full denial": s3}."""
    ax = _axes(ax)
    scale = None
    first = next(iter(runs.values()))
    if freq is None:
        freq = "year" if all("replicate" in d.dims for d in runs.values()) else "period"
    kind = units.kind_of(first[var])
    values = []
    for i, (name, ds) in enumerate(runs.items()):
        q = _bands(ds, var, sel, freq, given)
        if scale is None:
            scale = units.axis_scale(kind, q.values)
        k, unit_label = scale
        x = _x(q, ds)
        c = PALETTE[i % len(PALETTE)]
        ax.fill_between(x, q.values[0] * k, q.values[4] * k, color=c, alpha=0.15, lw=0)
        ax.plot(x, q.values[2] * k, color=c, lw=2, label=name,
                marker="o" if freq == "year" else None, ms=3)
        values.append((q.values * k).ravel())
        ax.set_ylabel(unit_label + _per(ds, var, freq))
    ax.set_xlabel("calendar year" if freq == "year" else "year")
    ax.set_title(_title(first, var, sel, ": median and 5-95% of replicates"), loc="left",
                 fontsize=11)
    _finish_axes(ax, np.concatenate(values), kind, "")
    ax.legend(frameon=False, fontsize=9)
    return ax


def event_fan(ds: xr.Dataset, var: str, event: str, when, *, freq=None, ax=None, **sel):
    """Two fans of one outcome: the replicates in which ``event`` had fired by ``when`` (a
    period label or a year) and the others, each with its median and 5-95% band and its
    share of replicates in the legend."""
    ax = _axes(ax)
    freq = _default_freq(ds, freq)
    p = float(data.event_mask(ds, {"event": event, "fired_by": when}).mean())
    kind = units.kind_of(ds[var])
    regimes = [({"event": event, "fired_by": when}, f"fired by {when} ({100 * p:.0f}%)", p,
                PALETTE[5]),
               ({"event": event, "not_fired_by": when},
                f"not fired by {when} ({100 * (1 - p):.0f}%)", 1 - p, PALETTE[0])]
    drawn, scale = [], None
    for given, name, share, color in regimes:
        if share == 0:
            continue
        q = _bands(ds, var, sel, freq, given)
        if scale is None:
            scale = units.axis_scale(kind, q.values)
        k, unit_label = scale
        x = _x(q, ds)
        # Light fills and dashed 5% / 95% edges, so overlapping bands stay readable.
        ax.fill_between(x, q.values[0] * k, q.values[4] * k, color=color, alpha=0.10, lw=0)
        for edge in (0, 4):
            ax.plot(x, q.values[edge] * k, color=color, lw=1, ls="--", alpha=0.8)
        ax.plot(x, q.values[2] * k, color=color, lw=2, label=f"{event} {name}",
                marker="o" if freq == "year" else None, ms=3)
        drawn.append((q.values * k).ravel())
        ax.set_ylabel(unit_label + _per(ds, var, freq))
    ax.set_xlabel("calendar year" if freq == "year" else "year (quarters)")
    ax.set_title(_title(ds, var, sel, f": median (solid) and 5-95% (dashed) by whether "
                                      f"{event} fired"),
                 loc="left", fontsize=11)
    _finish_axes(ax, np.concatenate(drawn), kind, "")
    ax.legend(frameon=False, fontsize=9)
    return ax


def market_share(ds: xr.Dataset, region: str, *, by: str = "vendor", freq=None, ax=None):
    """Stacked shares of a region's market over time (means over replicates, per calendar
    year by default): by vendor (legal revenue) or by product (units delivered through every
    channel)."""
    ax = _axes(ax)
    freq = _default_freq(ds, freq)
    if by == "vendor":
        da = data.aggregate(ds, "revenue", "vendor", freq=freq, region=region)
        what = "legal revenue"
    elif by == "product":
        da = data.aggregate(ds, "units_sold", "product", freq=freq, region=region)
        what = "units delivered through every channel"
    else:
        raise ValueError(f"by must be 'vendor' or 'product', got {by!r}")
    m = data._mean(da).compute()
    if "point" in m.dims:
        m = m.isel(point=0)
    t = "year" if freq == "year" else "period"
    total = m.sum(by)
    share = xr.where(total > 0, m / total, 0.0).transpose(t, by)
    keep = [str(n) for n in share[by].values if float(share.sel({by: n}).max()) > 0.005]
    x = share["year"].values if freq == "year" else ds["decimal_year"].values
    ys = [share.sel({by: n}).values * 100 for n in keep]
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(keep))]
    ax.stackplot(x, *ys, labels=keep, colors=colors, alpha=0.9)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of the market")
    ax.set_xlabel("calendar year" if freq == "year" else "year")
    ax.set_title(f"Share of {region}'s market by {by} ({what}; mean over replicates)",
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
    data._check_dims(da, [])
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
    ax.set_title("Input that limited each product's output, per quarter (most frequent "
                 "across replicates; paler = less often)", loc="left", fontsize=11)
    ax.set_xlabel("year")
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
    ax.set_title("Calibration: published band (grey), published value (|), simulated 5-95% "
                 "and statistic (dot)", loc="left", fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    return ax


# ---- sweeps ---------------------------------------------------------------------------------

def _short(key: str) -> str:
    """A swept key as an axis label: its last two parts ("N7.capacity")."""
    return ".".join(str(key).split(".")[-2:])


def sweep_heatmap(ds: xr.Dataset, y, *, ax=None, fmt="{:.3g}", cmap="viridis", title=None):
    """A grid sweep of two keys as a heat map of ``y`` (one value per point, e.g.
    chipsim.point_outcome), each cell annotated with its value."""
    from .sweep import swept_keys

    keys = swept_keys(ds)
    if len(keys) != 2:
        raise ValueError(f"a heat map needs a sweep of two keys; this one sweeps {len(keys)}")
    v = np.asarray(y.values if isinstance(y, xr.DataArray) else y, dtype=float)
    xs, ys = np.unique(ds[keys[1]].values), np.unique(ds[keys[0]].values)
    if len(xs) * len(ys) != len(v):
        raise ValueError("a heat map needs a full grid (chipsim sweep with type = \"grid\")")
    grid = np.full((len(ys), len(xs)), np.nan)
    for val, a, b in zip(v, ds[keys[0]].values, ds[keys[1]].values):
        grid[np.searchsorted(ys, a), np.searchsorted(xs, b)] = val
    ax = _axes(ax, (6, 4.5))
    im = ax.imshow(grid, origin="lower", cmap=cmap, aspect="auto")
    ax.set_xticks(range(len(xs)), [units.format_value("count", x) for x in xs])
    ax.set_yticks(range(len(ys)), [units.format_value("count", x) for x in ys])
    ax.set_xlabel(_short(keys[1]))
    ax.set_ylabel(_short(keys[0]))
    for i in range(len(ys)):
        for j in range(len(xs)):
            if np.isfinite(grid[i, j]):
                ax.text(j, i, fmt.format(grid[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if grid[i, j] < np.nanmean(grid) else "black")
    ax.figure.colorbar(im, ax=ax, label=getattr(y, "name", "") or "")
    ax.set_title(title or f"{getattr(y, 'name', 'outcome')} over the grid")
    return ax


def sobol_plot(indices, *, ax=None, title="Sobol indices"):
    """First- and total-order indices (chipsim.sobol_indices) as bars with their bootstrap
    intervals."""
    ax = _axes(ax, (7, 3.8))
    n = len(indices)
    x = np.arange(n)
    for off, col, name, color in ((-0.2, "S1", "first order", PALETTE[0]),
                                  (0.2, "ST", "total order", PALETTE[1])):
        v = indices[col].to_numpy()
        err = np.vstack([v - indices[f"{col}_low"].to_numpy(),
                         indices[f"{col}_high"].to_numpy() - v])
        ax.bar(x + off, v, 0.4, yerr=np.clip(err, 0, None), capsize=3, label=name, color=color)
    ax.set_xticks(x, [_short(p) for p in indices["parameter"]], rotation=20, ha="right")
    ax.set_ylabel("share of output variance")
    ax.axhline(0, color="grey", lw=0.5)
    ax.legend(frameon=False)
    ax.set_title(title)
    return ax


def morris_plot(indices, *, ax=None, title="Morris elementary effects"):
    """mu* against sigma (chipsim.morris_indices), with mu*'s bootstrap interval; inputs
    far right matter, inputs high up act non-linearly or through interactions."""
    ax = _axes(ax, (6, 4.5))
    ms = indices["mu_star"].to_numpy()
    err = np.vstack([ms - indices["mu_star_low"].to_numpy(),
                     indices["mu_star_high"].to_numpy() - ms])
    ax.errorbar(ms, indices["sigma"], xerr=np.clip(err, 0, None), fmt="o", color=PALETTE[0],
                capsize=3)
    for m, s, p in zip(ms, indices["sigma"], indices["parameter"]):
        ax.annotate(_short(p), (m, s), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set_xlabel("mu* (mean absolute elementary effect)")
    ax.set_ylabel("sigma")
    ax.set_title(title)
    return ax


def prim_plot(result, *, box=None, ax=None, title="PRIM: coverage against density"):
    """The peeling trajectory (chipsim.prim) as coverage against density, coloured by the
    number of restricted inputs; the chosen ``box`` is marked and its limits printed."""
    ax = _axes(ax, (6.5, 4.5))
    t = result.trajectory
    sc = ax.scatter(t["coverage"], t["density"], c=t["restricted"], cmap="viridis", s=18)
    ax.figure.colorbar(sc, ax=ax, label="restricted inputs")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    if box is not None:
        ax.scatter([t.loc[box, "coverage"]], [t.loc[box, "density"]], s=120,
                   facecolors="none", edgecolors=PALETTE[5], lw=2)
        lim = result.limits(box)
        text = "\n".join(f"{_short(i)}: {units.format_value('count', r.low)} to "
                         f"{units.format_value('count', r.high)}" for i, r in lim.iterrows())
        ax.text(0.02, 0.02, text, transform=ax.transAxes, fontsize=8, va="bottom")
    ax.set_title(title)
    return ax
