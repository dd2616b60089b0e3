"""`python3 -m chipsim report OUT.h5 [OTHER.h5 ...] -o DIR`: a self-contained HTML report
(one page, PNG plots beside it, no external scripts or styles) of one run, or of several runs
against the first."""
from __future__ import annotations

import datetime
import html
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from . import data, plots, units  # noqa: E402

CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222;
padding:0 1em}h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid
#ddd}table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1.5em}td,th{padding:.25em
.6em;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}th{background:#f5f5f5}td:first-child,
th:first-child{text-align:left}img{max-width:100%;border:1px solid #eee;margin:.5em 0}
.meta{color:#666;font-size:.9em}.grid{display:grid;grid-template-columns:1fr 1fr;gap:1em}"""


def _table(df, columns, formats) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    rows = []
    for _, r in df.iterrows():
        cells = "".join(f"<td>{html.escape(f(r))}</td>" for f in formats)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _unit(ds, var: str) -> str:
    kind = ds[var].attrs.get("display", "")
    unit = units.display_unit(kind) or ("units" if kind == "count" else "")
    r = data.rule(ds[var])
    if r["time"] == "sum" and r["cells"] == "sum":
        unit += " per year"
    return unit.strip()


def _headline_table(ds, region: str) -> str:
    t = data.headline_years(ds, region)
    if t.empty:
        return "<p>No headline variables in this file.</p>"
    has_regimes = "event" in t.columns and t["event"].notna().any()
    f = units.format_value
    columns = ["outcome", "unit", "year", "p05", "median", "p95"]
    formats = [lambda r: r["outcome"], lambda r: _unit(ds, r["variable"]),
               lambda r: str(r["year"]), lambda r: f(r["display"], r["p05"]),
               lambda r: f(r["display"], r["p50"]), lambda r: f(r["display"], r["p95"])]
    if has_regimes:
        columns += ["two regimes: event (probability)", "median if fired", "median if not"]
        formats += [lambda r: "" if not isinstance(r.get("event"), str) else
                    f"{r['event']} by {r['year']} ({100 * r['p_event']:.0f}%)",
                    lambda r: "" if not isinstance(r.get("event"), str) else
                    f(r["display"], r["median_fired"]),
                    lambda r: "" if not isinstance(r.get("event"), str) else
                    f(r["display"], r["median_not"])]
    note = ("<p class='meta'>Where a stochastic event splits an outcome into two regimes (both "
            "at least 5% of replicates, medians a quarter of the 5-95% range apart), the last "
            "columns give each regime's median: the band alone would hide that the outcome "
            "is bimodal.</p>") if has_regimes else ""
    return note + _table(t, columns, formats)


def _event_section(ds, name: str, event: str, region: str, out_dir: str, k: int,
                   images: list) -> str:
    p = data.event_probability(ds, by_year=True)
    p = p[p["event"] == event]
    kind = str(ds["event_kind"].sel(event=event).values) if "event_kind" in ds.coords else "event"
    policy = str(ds["event_policy"].sel(event=event).values) if "event_policy" in ds.coords \
        else ""
    total = float(data.event_probability(ds).set_index("event").loc[event, "probability"])
    out = [f"<h2>Event: {html.escape(event)} ({html.escape(policy)} {html.escape(kind)}), "
           f"{html.escape(name)}</h2>",
           f"<p>It fired in <b>{100 * total:.1f}%</b> of {ds.sizes['replicate']} replicates "
           f"within the horizon. Share of replicates in which it had fired by the end of each "
           f"year:</p>",
           _table(p, ["year", "fired by year end"],
                  [lambda r: str(r["year"]), lambda r: f"{100 * r['probability']:.1f}%"])]
    if 0 < total < 1:
        # The year whose split is closest to even shows both regimes best.
        when = int(p.iloc[(p["probability"] - 0.5).abs().argsort().iloc[0]]["year"])
        out.append(f"<p>Outcomes in the replicates where it had fired by the end of {when} and "
                   f"in those where it had not:</p><div class='grid'>")
        for var in ("domestic_share_revenue", "market_revenue"):
            img = _save(plots.event_fan(ds, var, event, when, region=region), out_dir,
                        f"event_{k}_{event}_{var}.png")
            images.append(img)
            out.append(f"<img src='{img}' alt='{html.escape(var)} given {html.escape(event)}'>")
        out.append("</div>")
    else:
        out.append("<p>No conditional fans: the event fired in "
                   f"{'every' if total >= 1 else 'no'} replicate.</p>")
    return "\n".join(out)


def _save(fig_ax, out_dir: str, name: str) -> str:
    fig = fig_ax.figure
    path = os.path.join(out_dir, name)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return name


def _sweep_section(ds, region: str, out_dir: str, images: list) -> str:
    """A sweep file: its design, the headline outcome per point, and the analysis its design
    supports (heat map for a two-key grid, Sobol indices for saltelli, Morris for morris,
    the outcome against each key otherwise)."""
    from . import sweep

    keys = sweep.swept_keys(ds)
    design = sweep.design_type(ds)
    table = sweep.design_table(ds)
    years = sorted(set(int(y) for y in ds["decimal_year"].values))
    year = 2027 if 2027 in years else years[-1]
    var = "domestic_share_units"
    out = [f"<h2>Sweep: {html.escape(design)} design, {ds.sizes['point']} points x "
           f"{ds.sizes['replicate']} replicates</h2>"]
    out.append(_table(table.describe().T.reset_index(), ["swept key", "min", "median", "max"], [
        lambda r: r["index"], lambda r: f"{r['min']:.4g}", lambda r: f"{r['50%']:.4g}",
        lambda r: f"{r['max']:.4g}"]))
    if "point_error" in ds.coords:
        errors = [(int(p), str(e)) for p, e in zip(ds["point"].values, ds["point_error"].values)
                  if str(e)]
        if errors:
            out.append(f"<p><b>{len(errors)} points could not run</b>; the first: point "
                       f"{errors[0][0]}: <code>{html.escape(errors[0][1][:300])}</code></p>")
    if var not in ds:
        out.append(f"<p class='meta'>The file does not hold {var}; no outcome is analysed.</p>")
        return "\n".join(out)
    y = sweep.point_outcome(ds, var, year, region=region)
    out.append(f"<p>Outcome: {html.escape(region)}'s {year} domestic share of units, mean over "
               f"each point's replicates (common random numbers: points differ only by their "
               f"inputs). Range over points: {100 * float(y.min()):.1f}% to "
               f"{100 * float(y.max()):.1f}%.</p><div class='grid'>")
    if design == "grid" and len(keys) == 2:
        img = _save(plots.sweep_heatmap(ds, y, fmt="{:.3f}"), out_dir, "sweep_heatmap.png")
        images.append(img)
        out.append(f"<img src='{img}' alt='heat map of the outcome over the grid'>")
    elif design == "saltelli":
        idx = sweep.sobol_indices(ds, y, n_boot=300)
        img = _save(plots.sobol_plot(idx), out_dir, "sweep_sobol.png")
        images.append(img)
        out.append(f"<img src='{img}' alt='Sobol indices'>")
        out.append(_table(idx, ["key", "S1", "S1 95% CI", "ST", "ST 95% CI"], [
            lambda r: r["parameter"], lambda r: f"{r['S1']:.3f}",
            lambda r: f"{r['S1_low']:.3f} to {r['S1_high']:.3f}", lambda r: f"{r['ST']:.3f}",
            lambda r: f"{r['ST_low']:.3f} to {r['ST_high']:.3f}"]))
    elif design == "morris":
        idx = sweep.morris_indices(ds, y, n_boot=300)
        img = _save(plots.morris_plot(idx), out_dir, "sweep_morris.png")
        images.append(img)
        out.append(f"<img src='{img}' alt='Morris mu* against sigma'>")
    else:
        fig, axes = plt.subplots(1, len(keys), figsize=(3.2 * len(keys), 3), squeeze=False,
                                 layout="constrained")
        for ax, k in zip(axes[0], keys):
            ax.scatter(ds[k].values, y.values, s=8, color=plots.PALETTE[0])
            ax.set_xlabel(plots._short(k))
        axes[0][0].set_ylabel(var)
        img = _save(axes[0][0], out_dir, "sweep_scatter.png")
        images.append(img)
        out.append(f"<img src='{img}' alt='outcome against each swept key'>")
    out.append("</div>")
    return "\n".join(out)


def build(paths: list[str], out_dir: str, *, region: str = "CN", targets=None) -> str:
    """Writes out_dir/index.html and its PNGs; returns the HTML path."""
    os.makedirs(out_dir, exist_ok=True)
    runs = {}
    for p in paths:
        ds = data.open(p)
        name = str(ds.attrs.get("scenario", os.path.basename(p)))
        while name in runs:
            name += "'"
        runs[name] = ds
    first_name, first = next(iter(runs.items()))
    per_replicate = "replicate" in first.dims
    parts = [f"<h1>chipsim report: {html.escape(' vs '.join(runs))}</h1>"]
    for name, ds in runs.items():
        n = ds.sizes.get("replicate", ds.attrs.get("replicates", "?"))
        parts.append(
            f"<p class='meta'><b>{html.escape(name)}</b>: {html.escape(ds.attrs['chipsim_path'])}"
            f", {n} replicates, seed {ds.attrs.get('seed')}, chipsim "
            f"{ds.attrs.get('chipsim_version')} ({ds.attrs.get('git_commit')}), "
            f"created {ds.attrs.get('created')}</p>")

    images, skipped = [], []
    if "point" in first.dims:  # a sweep: its own section; the per-run charts need one point
        parts.append(_sweep_section(first, region, out_dir, images))
        parts.append("<p class='meta'>One point's fan charts: "
                     "<code>chipsim.fan_chart(ds.sel(point=k), ...)</code>.</p>")
        return _write(parts, out_dir)
    parts.append("<p class='meta'>Figures are per calendar year unless marked: flows summed over "
                 "the year, stocks at year end, shares as the ratio of the year's sums (the rules "
                 "each variable declares in the file). Money in US dollars (B = billion, M = "
                 "million), compute in EFLOP/s, shares in percent.</p>")
    per = "per year" if per_replicate else "per quarter (summary-only file)"
    parts.append(f"<h2>{html.escape(region)}: outcomes {per} ({html.escape(first_name)})</h2>"
                 "<div class='grid'>")
    for var in ("domestic_share_revenue", "market_revenue", "smuggled_units",
                "installed_compute", "effective_compute", "unmet_budget"):
        if var not in first:
            continue
        key = "buyer_region" if "buyer" in first[var].dims else "region"
        try:
            img = _save(plots.fan_chart(first, var, **{key: region}), out_dir, f"fan_{var}.png")
        except data.ChipsimFileError:  # a summary-only file cannot add cells up
            plt.close("all")
            skipped.append(var)
            continue
        images.append(img)
        parts.append(f"<img src='{img}' alt='fan chart of {var}'>")
    parts.append("</div>")
    if skipped:
        parts.append(f"<p class='meta'>Not drawn from this summary-only file (they add cells "
                     f"up, which needs per-replicate data): {html.escape(', '.join(skipped))}."
                     f"</p>")

    if len(runs) > 1:
        parts.append(f"<h2>Scenarios compared ({html.escape(region)})</h2><div class='grid'>")
        for var in ("domestic_share_revenue", "market_revenue"):
            img = _save(plots.compare_chart(runs, var, region=region), out_dir,
                        f"compare_{var}.png")
            images.append(img)
            parts.append(f"<img src='{img}' alt='comparison of {var}'>")
        parts.append("</div>")

    if per_replicate:
        parts.append(f"<h2>Market shares and chokepoints ({html.escape(first_name)})</h2>")
        img = _save(plots.market_share(first, region), out_dir, "market_share.png")
        images.append(img)
        parts.append(f"<img src='{img}' alt='market share by vendor'>")
        img = _save(plots.chokepoint_timeline(first), out_dir, "chokepoints.png")
        images.append(img)
        parts.append(f"<img src='{img}' alt='binding input per product'>")
        if targets:
            parts.append("<h2>Calibration</h2>")
            img = _save(plots.calibration_plot(first, targets), out_dir, "calibration.png")
            images.append(img)
            parts.append(f"<img src='{img}' alt='calibration against published targets'>")

    for k, (name, ds) in enumerate(runs.items()):
        if "event_period" not in ds or "replicate" not in ds.dims:
            continue
        for event in [str(e) for e in ds["event"].values]:
            parts.append(_event_section(ds, name, event, region, out_dir, k, images))

    for name, ds in runs.items():
        parts.append(f"<h2>Headline outcomes, {html.escape(region)}: {html.escape(name)}</h2>")
        if "replicate" not in ds.dims:
            parts.append("<p class='meta'>A summary-only file: each year's last period, not "
                         "yearly aggregates.</p>")
        parts.append(_headline_table(ds, region))

    if len(runs) > 1 and per_replicate:
        for name, ds in list(runs.items())[1:]:
            parts.append(f"<h2>Paired difference {html.escape(name)} - "
                         f"{html.escape(first_name)}, {html.escape(region)}</h2>")
            try:
                rows = []
                for label, var, key in data.HEADLINES[:10]:
                    if var not in first or var not in ds:
                        continue
                    d = data.compare(first, ds, var, **{key: region})
                    d.insert(0, "outcome", label)
                    d["kind"] = first[var].attrs.get("display", "")
                    d["unit"] = _unit(first, var)
                    rows.append(d)
                import pandas as pd

                d = pd.concat(rows)
                f, fd = units.format_value, units.format_difference
                parts.append(_table(d, ["outcome", "unit", "year", "A mean", "B mean",
                                        "B - A (95% CI)", "B - A, 5-95% of replicates"], [
                    lambda r: r["outcome"], lambda r: r["unit"], lambda r: str(int(r["year"])),
                    lambda r: f(r["kind"], r["a_mean"]), lambda r: f(r["kind"], r["b_mean"]),
                    lambda r: f"{fd(r['kind'], r['diff_mean'])} "
                              f"({fd(r['kind'], r['diff_ci_low'])}, "
                              f"{fd(r['kind'], r['diff_ci_high'])})",
                    lambda r: f"{fd(r['kind'], r['diff_p05'])} to "
                              f"{fd(r['kind'], r['diff_p95'])}"]))
            except data.ChipsimFileError as e:
                parts.append(f"<p>Not paired: {html.escape(str(e))}</p>")

    return _write(parts, out_dir)


def _write(parts: list, out_dir: str) -> str:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(f"<p class='meta'>Written {stamp} by <code>python3 -m chipsim report</code>."
                 "</p>")
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>chipsim report</title><style>{CSS}</style></head><body>"
            + "\n".join(parts) + "</body></html>\n")
    out = os.path.join(out_dir, "index.html")
    tmp = out + ".partial"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(tmp, out)
    return out
