"""chipsim.open, to_frame, summary, compare and the target evaluation, on real output."""
import h5py
import numpy as np
import pandas as pd
import pytest

import chipsim
from chipsim import targets as tg
from conftest import N, ROOT


def test_open_gives_named_dimensions_labels_and_provenance(runs):
    ds = chipsim.open(runs["base"])
    assert ds.sizes["replicate"] == N
    assert ds["domestic_share_revenue"].dims == ("replicate", "period", "region")
    assert list(ds["region"].values) == ["CN", "ROW", "US"]
    assert ds["period"].values[0] == "2024Q1"
    assert ds["decimal_year"].values[0] == pytest.approx(2024.125)
    assert ds.attrs["scenario"] == "baseline"
    assert int(ds.attrs["seed"]) == 20251127
    assert ds["revenue"].attrs["units"] == "USD"
    # lazy: nothing loaded until asked
    assert ds["units_sold"].variable._in_memory is False


def test_open_is_chunked_along_replicates_when_dask_is_present(runs):
    pytest.importorskip("dask")
    ds = chipsim.open(runs["base"])
    assert ds["units_sold"].chunks is not None


def test_open_summary_only_file(runs):
    ds = chipsim.open(runs["summary"])
    assert "replicate" not in ds.dims
    assert list(ds["stat"].values) == list(chipsim.data.STATS)
    assert ds.attrs["chipsim_summary_only"] == 1
    s = chipsim.summary(ds, "market_revenue", region="CN")
    raw = chipsim.open(runs["base"])["market_revenue"].sel(region="CN").values
    # The mean is exact. The summary's p50 is the order statistic of rank floor(0.5 (n - 1))
    # (numpy's method="lower") within the sketch's stated 0.5% relative error.
    np.testing.assert_allclose(s["mean"], raw.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(s["p50"], np.percentile(raw, 50, axis=0, method="lower"),
                               rtol=0.005)


def test_open_single_replicate_file(runs):
    ds = chipsim.open(runs["single"])
    assert ds.sizes["replicate"] == 1
    s = chipsim.summary(ds, "market_revenue", region="CN", freq="year")
    assert (s["p05"] == s["p95"]).all() and (s["mean"] == s["p50"]).all()


def test_open_rejects_foreign_missing_and_partial_files(tmp_path, runs):
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as f:
        f["x"] = [1, 2, 3]
    with pytest.raises(chipsim.ChipsimFileError, match="not written by chipsim"):
        chipsim.open(foreign)
    text = tmp_path / "text.h5"
    text.write_text("hello")
    with pytest.raises(chipsim.ChipsimFileError, match="not an HDF5 file"):
        chipsim.open(text)
    with pytest.raises(chipsim.ChipsimFileError, match="no such file"):
        chipsim.open(tmp_path / "missing.h5")
    partial = tmp_path / "partial.h5"
    partial.write_bytes(runs["base"].read_bytes())
    with h5py.File(partial, "r+") as f:
        f.attrs["complete"] = np.int32(0)
        f.attrs["replicates_written"] = np.int64(16)
    with pytest.raises(chipsim.ChipsimFileError, match="incomplete run \\(16 of 40"):
        chipsim.open(partial)
    assert chipsim.open(partial, allow_partial=True).sizes["replicate"] == 16


def test_to_frame_is_tidy(runs):
    ds = chipsim.open(runs["base"])
    df = chipsim.to_frame(ds, "revenue", region="CN", vendor="NVIDIA")
    assert list(df.columns) == ["variable", "replicate", "period", "decimal_year", "value",
                                "units"]
    assert len(df) == N * 28
    assert (df["units"] == "USD").all()
    both = chipsim.to_frame(ds, ["market_revenue", "domestic_revenue"], region="CN")
    assert set(both["variable"]) == {"market_revenue", "domestic_revenue"}
    with pytest.raises(KeyError, match="no variable 'revenu'"):
        chipsim.to_frame(ds, "revenu")
    with pytest.raises(KeyError, match="region 'XX' is not in revenue"):
        chipsim.to_frame(ds, "revenue", region="XX")


def test_summary_matches_numpy(runs):
    ds = chipsim.open(runs["base"])
    s = chipsim.summary(ds, "revenue", by="vendor", region="CN", freq="year")
    row = s[(s.vendor == "NVIDIA") & (s.year == 2025)].iloc[0]
    raw = ds["revenue"].sel(vendor="NVIDIA", region="CN").values  # replicate, period
    years = np.floor(ds["decimal_year"].values).astype(int)
    per_rep = raw[:, years == 2025].sum(axis=1)
    assert row["mean"] == pytest.approx(per_rep.mean(), rel=1e-12)
    assert row["p05"] == pytest.approx(np.percentile(per_rep, 5), rel=1e-12)
    assert row["p95"] == pytest.approx(np.percentile(per_rep, 95), rel=1e-12)
    with pytest.raises(KeyError, match="has no dimension 'product'"):
        chipsim.summary(ds, "revenue", product="H20")


def test_compare_pairs_replicates_and_refuses_unpaired_runs(runs):
    base, h200 = chipsim.open(runs["base"]), chipsim.open(runs["h200"])
    d = chipsim.compare(base, h200, "revenue", vendor="NVIDIA", region="CN")
    r = d[d.year == 2027].iloc[0]
    years = np.floor(base["decimal_year"].values).astype(int)
    a = base["revenue"].sel(vendor="NVIDIA", region="CN").values[:, years == 2027].sum(1)
    b = h200["revenue"].sel(vendor="NVIDIA", region="CN").values[:, years == 2027].sum(1)
    assert r["diff_mean"] == pytest.approx((b - a).mean(), rel=1e-12)
    assert r["diff_p95"] == pytest.approx(np.percentile(b - a, 95), rel=1e-9, abs=1e-3)
    assert r["diff_ci_low"] <= r["diff_mean"] <= r["diff_ci_high"]
    assert r["diff_mean"] > 0  # H200 sales to China once China lets them in
    with pytest.raises(chipsim.ChipsimFileError, match="do not pair up: seed"):
        chipsim.compare(base, chipsim.open(runs["seed2"]), "market_revenue")
    with pytest.raises(chipsim.ChipsimFileError, match="do not pair up: 40 vs 1 replicates"):
        chipsim.compare(base, chipsim.open(runs["single"]), "market_revenue")
    with pytest.raises(chipsim.ChipsimFileError, match="holds summaries only"):
        chipsim.compare(base, chipsim.open(runs["summary"]), "market_revenue")


def test_compare_keeps_a_point_dimension(runs):
    base = chipsim.open(runs["base"])
    swept = base.expand_dims(point=[0])
    d = chipsim.compare(swept, swept, "market_revenue", region="CN")
    assert "point" in d.columns and (d["diff_mean"] == 0).all()
    s = chipsim.summary(swept, "market_revenue", region="CN", freq="year")
    assert "point" in s.columns


def test_targets_match_chipsim_calibrate(exe, runs):
    import subprocess

    out = subprocess.run([exe, "calibrate", str(ROOT / "scenarios" / "baseline.toml"),
                          "--targets", str(ROOT / "scenarios/calibration/targets.toml"),
                          "-n", str(N)], capture_output=True, text=True, check=True).stdout
    rows = tg.evaluate(chipsim.open(runs["base"]), ROOT / "scenarios/calibration/targets.toml")
    assert len(rows) == 16
    for r in rows:
        line = next(l for l in out.splitlines() if l.startswith(f"| {r['name']} |"))
        assert ("| yes |" in line) == r["in_band"], line


def test_headline_years_table(runs):
    t = chipsim.headline_years(chipsim.open(runs["base"]), "CN")
    assert isinstance(t, pd.DataFrame)
    share = t[(t.outcome == "domestic share of revenue") & (t.year == 2025)].iloc[0]
    # Of the legal market's revenue (smuggled and rented units are outside it): above the
    # 42% of all spending Bernstein reports for 2025.
    assert 0.42 < share["p50"] < 0.8 and share["p05"] <= share["p50"] <= share["p95"]
    assert share["display"] == "share"
    assert set(t[t.outcome == "smuggled units"]["display"]) == {"count"}
    # Stocks are year-end values, not sums of the year's quarters.
    ds = chipsim.open(runs["base"])
    ec = t[(t.outcome == "effective compute (year end)") & (t.year == 2025)].iloc[0]
    q4 = ds["effective_compute"].sel(region="CN", period="2025Q4").values
    assert ec["p50"] == pytest.approx(np.median(q4), rel=1e-12)
