"""Plots draw what they claim, the report references only images that exist and are
non-empty PNGs, and the command line reports bad input clearly."""
import html.parser
import pathlib
import subprocess
import sys

import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pytest

import chipsim
from conftest import ROOT

TARGETS = ROOT / "scenarios" / "calibration" / "targets.toml"


def test_fan_chart_draws_median_and_bands(runs):
    ds = chipsim.open(runs["base"])
    # Per calendar year by default: a share is the ratio of the year's sums (computed here
    # from the raw numerator and denominator, independently of the package).
    ax = chipsim.fan_chart(ds, "domestic_share_revenue", region="CN")
    median = ax.get_lines()[0].get_ydata()
    years = np.floor(ds["decimal_year"].values).astype(int)
    num = ds["domestic_revenue"].sel(region="CN").values
    den = ds["market_revenue"].sel(region="CN").values
    want = [np.median(num[:, years == y].sum(1) / den[:, years == y].sum(1))
            for y in sorted(set(years))]
    np.testing.assert_allclose(median, 100 * np.array(want), rtol=1e-12)  # drawn in %
    assert len(ax.collections) == 2 and ax.get_ylabel() == "%"
    assert ax.get_ylim() == (0, 100)  # shares span the whole axis
    assert ax.get_xlabel() == "calendar year" and list(ax.get_lines()[0].get_xdata()) == \
        sorted(set(years))
    plt.close("all")
    # Quarterly views stay available and show the stored per-period shares.
    ax = chipsim.fan_chart(ds, "domestic_share_revenue", freq="period", region="CN")
    want = ds["domestic_share_revenue"].sel(region="CN").quantile(0.5, "replicate").values
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), 100 * want, rtol=1e-12)
    plt.close("all")


def test_fan_chart_labels_flows_and_shows_zero_spread(runs):
    ds = chipsim.open(runs["base"])
    ax = chipsim.fan_chart(ds, "market_revenue", region="CN")
    assert ax.get_ylabel() == "USD billion per year" and ax.get_ylim()[0] == 0
    assert ax.get_title(loc="left") == "Legal accelerator market (revenue of every vendor) - CN"
    plt.close("all")
    # The Ascend 950PR is not made before its 2026 launch: zero in every replicate for
    # 2024-2025, a band of no width that is said in words.
    ax = chipsim.fan_chart(ds, "production", product="Ascend950PR")
    notes = [t.get_text() for t in ax.texts]
    assert "no spread across replicates in 2024-2025" in notes, notes
    assert ax.get_ylim()[0] == 0  # the flat line is not magnified by a truncated axis
    plt.close("all")


def test_fan_chart_from_a_summary_only_file(runs):
    ax = chipsim.fan_chart(chipsim.open(runs["summary"]), "market_revenue", region="CN")
    assert ax.get_ylabel() == "USD billion per quarter"
    plt.close("all")


def test_compare_chart_has_one_line_per_run(runs):
    ax = chipsim.compare_chart({"a": chipsim.open(runs["base"]),
                                "b": chipsim.open(runs["h200"])}, "market_revenue",
                               region="CN")
    assert [l.get_label() for l in ax.get_lines()] == ["a", "b"]
    plt.close("all")


def test_market_share_stacks_to_100(runs):
    ax = chipsim.market_share(chipsim.open(runs["base"]), "CN")
    tops = sum(c.get_paths()[0].vertices[:, 1].max() for c in ax.collections[-1:])
    assert tops == pytest.approx(100, abs=1e-6)
    assert "NVIDIA" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close("all")


def test_chokepoint_timeline_and_its_summary_only_error(runs):
    ax = chipsim.chokepoint_timeline(chipsim.open(runs["base"]), products=["H20", "Ascend910C"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["H20", "Ascend910C"]
    with pytest.raises(chipsim.ChipsimFileError, match="needs per-replicate data"):
        chipsim.chokepoint_timeline(chipsim.open(runs["summary"]))
    plt.close("all")


def test_calibration_plot_has_a_row_per_target(runs):
    ax = chipsim.calibration_plot(chipsim.open(runs["base"]), TARGETS)
    assert len(ax.get_yticklabels()) == 16
    plt.close("all")


class _Images(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.src, self.other = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.src.append(a["src"])
        for k in ("href", "src"):
            if k in a and tag != "img":
                self.other.append(a[k])


def test_report_references_only_existing_non_empty_pngs(runs, tmp_path):
    out = tmp_path / "report"
    r = subprocess.run([sys.executable, "-m", "chipsim", "report", str(runs["base"]),
                        str(runs["h200"]), "-o", str(out), "--targets", str(TARGETS)],
                       capture_output=True, text=True, cwd=ROOT / "analysis")
    assert r.returncode == 0, r.stderr
    page = (out / "index.html").read_text()
    p = _Images()
    p.feed(page)
    # 6 fans, 2 overlays, market share, chokepoints, calibration, and two conditional fans
    # per event that fired in some but not all replicates of a run.
    assert len(p.src) >= 11 and not p.other  # no external scripts, styles or links
    assert "Event: tightening (us event), baseline" in page
    assert "fired by" in page
    # The headline table gives both regimes' medians where the tightening splits an outcome.
    assert "<th>median if fired</th><th>median if not</th>" in page
    for src in p.src:
        f = out / src
        assert f.parent == out and f.stat().st_size > 1000, src
        img = matplotlib.image.imread(f)  # decodes: a real PNG
        assert img.shape[0] > 100 and img.shape[1] > 100 and img[..., :3].std() > 0.01, src
    assert "Paired difference china-accepts-h200 - baseline" in page
    # shares as percentages, counts as counts
    def row(outcome):
        start = page.index(f"<td>{outcome}</td><td>")
        start = page.index("<td>2025</td>", start)
        return page[start:page.index("</tr>", start)]

    share = row("domestic share of revenue")
    assert share.count("%") == 3, share
    smuggled = row("smuggled units")
    assert "%" not in smuggled and " k<" in smuggled, smuggled


def test_report_of_a_summary_only_file(runs, tmp_path):
    r = subprocess.run([sys.executable, "-m", "chipsim", "report", str(runs["summary"]), "-o",
                        str(tmp_path / "r")], capture_output=True, text=True,
                       cwd=ROOT / "analysis")
    assert r.returncode == 0, r.stderr
    assert len(list((tmp_path / "r").glob("*.png"))) == 4


def test_cli_errors_are_clear(tmp_path):
    bad = tmp_path / "x.h5"
    bad.write_text("not hdf5")
    r = subprocess.run([sys.executable, "-m", "chipsim", "fan", str(bad), "market_revenue",
                        "-o", str(tmp_path / "f.png")], capture_output=True, text=True,
                       cwd=ROOT / "analysis")
    assert r.returncode == 2
    assert r.stderr.startswith("python3 -m chipsim fan: error: ") and "not an HDF5 file" in r.stderr


def test_cli_fan_writes_a_png(runs, tmp_path):
    png = tmp_path / "fan.png"
    r = subprocess.run([sys.executable, "-m", "chipsim", "fan", str(runs["base"]),
                        "domestic_share_revenue", "--region", "CN", "-o", str(png)],
                       capture_output=True, text=True, cwd=ROOT / "analysis")
    assert r.returncode == 0, r.stderr
    assert matplotlib.image.imread(png).shape[0] > 100
