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

from . import data, plots  # noqa: E402

CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222;
padding:0 1em}h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid
#ddd}table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1.5em}td,th{padding:.25em
.6em;border-bottom:1px solid #eee;text-align:right}th{background:#f5f5f5}td:first-child,
th:first-child{text-align:left}img{max-width:100%;border:1px solid #eee;margin:.5em 0}
.meta{color:#666;font-size:.9em}.grid{display:grid;grid-template-columns:1fr 1fr;gap:1em}"""


def _fmt(v: float, units: str) -> str:
    if units == "fraction":
        return f"{100 * v:.1f}%"
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:.2f} B"
    if a >= 1e6:
        return f"{v / 1e6:.2f} M"
    if a >= 1e4:
        return f"{v / 1e3:.1f} k"
    return f"{v:.3g}"


def _table(df, columns, formats) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    rows = []
    for _, r in df.iterrows():
        cells = "".join(f"<td>{html.escape(f(r))}</td>" for f in formats)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _save(fig_ax, out_dir: str, name: str) -> str:
    fig = fig_ax.figure
    path = os.path.join(out_dir, name)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return name


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

    images = []
    parts.append(f"<h2>{html.escape(region)}: outcomes over time ({html.escape(first_name)})</h2>"
                 "<div class='grid'>")
    for var in ("domestic_share_revenue", "market_revenue", "smuggled_units",
                "effective_compute"):
        img = _save(plots.fan_chart(first, var, region=region), out_dir, f"fan_{var}.png")
        images.append(img)
        parts.append(f"<img src='{img}' alt='fan chart of {var}'>")
    parts.append("</div>")

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

    for name, ds in runs.items():
        parts.append(f"<h2>Headline outcomes, {html.escape(region)}: {html.escape(name)} "
                     f"(p05 / p50 / p95 over replicates)</h2>")
        t = data.headline_years(ds, region)
        parts.append(_table(t, ["outcome", "year", "p05", "p50", "p95"], [
            lambda r: r["outcome"], lambda r: str(r["year"]),
            lambda r: _fmt(r["p05"], r["units"]), lambda r: _fmt(r["p50"], r["units"]),
            lambda r: _fmt(r["p95"], r["units"])]))

    if len(runs) > 1 and per_replicate:
        for name, ds in list(runs.items())[1:]:
            parts.append(f"<h2>Paired difference {html.escape(name)} - "
                         f"{html.escape(first_name)}, {html.escape(region)}</h2>")
            try:
                rows = []
                for var in ("market_revenue", "domestic_revenue", "smuggled_units"):
                    d = data.compare(first, ds, var, region=region)
                    d.insert(0, "outcome", var)
                    rows.append(d)
                import pandas as pd

                d = pd.concat(rows)
                parts.append(_table(d, ["outcome", "year", "A mean", "B mean",
                                        "B - A (95% CI)", "B - A p05..p95"], [
                    lambda r: r["outcome"], lambda r: str(int(r["year"])),
                    lambda r: _fmt(r["a_mean"], ""), lambda r: _fmt(r["b_mean"], ""),
                    lambda r: f"{_fmt(r['diff_mean'], '')} ({_fmt(r['diff_ci_low'], '')}, "
                              f"{_fmt(r['diff_ci_high'], '')})",
                    lambda r: f"{_fmt(r['diff_p05'], '')} .. {_fmt(r['diff_p95'], '')}"]))
            except data.ChipsimFileError as e:
                parts.append(f"<p>Not paired: {html.escape(str(e))}</p>")

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
