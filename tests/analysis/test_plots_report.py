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
    ax = chipsim.fan_chart(ds, "domestic_share_revenue", region="CN")
    median = ax.get_lines()[0].get_ydata()
    want = ds["domestic_share_revenue"].sel(region="CN").quantile(0.5, "replicate").values
    np.testing.assert_allclose(median, 100 * want)  # shares are drawn in %
    assert len(ax.collections) == 2 and ax.get_ylabel() == "%"
    plt.close("all")


def test_fan_chart_from_a_summary_only_file(runs):
    ax = chipsim.fan_chart(chipsim.open(runs["summary"]), "market_revenue", region="CN")
    assert ax.get_ylabel() == "USD bn"
    plt.close("all")


def test_compare_chart_has_one_line_per_run(runs):
    ax = chipsim.compare_chart({"a": chipsim.open(runs["base"]),
                                "b": chipsim.open(runs["denial"])}, "market_revenue",
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
    assert len(ax.get_yticklabels()) == 7
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
                        str(runs["denial"]), "-o", str(out), "--targets", str(TARGETS)],
                       capture_output=True, text=True, cwd=ROOT / "analysis")
    assert r.returncode == 0, r.stderr
    page = (out / "index.html").read_text()
    p = _Images()
    p.feed(page)
    assert len(p.src) == 9 and not p.other  # no external scripts, styles or links
    for src in p.src:
        f = out / src
        assert f.parent == out and f.stat().st_size > 1000, src
        img = matplotlib.image.imread(f)  # decodes: a real PNG
        assert img.shape[0] > 100 and img.shape[1] > 100 and img[..., :3].std() > 0.01, src
    assert "Paired difference full-denial - baseline" in page
    # shares as percentages, counts as counts
    def row(outcome):
        start = page.index(f"<td>{outcome}</td><td>2025</td>")
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
