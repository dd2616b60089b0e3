"""Sweep analysis against known answers (issue 12): Sobol indices of the Ishigami function,
Morris ranking of Sobol's G function, PRIM on a planted box - each evaluated on a design
written by `chipsim sweep --design-csv` and stored in the sweep file layout, so the same
functions run on it as on a model sweep - and the point layout of a real sweep."""
import math
import pathlib
import subprocess

import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import chipsim
from conftest import ROOT


def design(exe, tmp_path, body: str) -> pd.DataFrame:
    sweep = tmp_path / "f.toml"
    sweep.write_text(f'scenario = "{ROOT / "scenarios/baseline.toml"}"\n' + body)
    csv = tmp_path / "design.csv"
    subprocess.run([exe, "sweep", str(sweep), "--design-csv", str(csv)], check=True,
                   stdout=subprocess.DEVNULL)
    return pd.read_csv(csv)


def point_file(path, d: pd.DataFrame, y, design_type: str):
    """`y` (one value per point) in chipsim's sweep layout: a point dimension ahead of
    replicate, a coordinate per swept key, design_unit / design_group / design_role and the
    design_* attributes (docs/OUTPUT.md, "Sweeps")."""
    keys = [c for c in d.columns if c not in ("point", "group", "role") and
            not c.startswith("unit:")]
    n = len(d)
    ds = xr.Dataset(
        {"y": (("point", "replicate", "period"), np.asarray(y, float).reshape(n, 1, 1),
               {"units": "1", "long_name": "test function", "cell_methods": "period: sum",
                "aggregation": "sum", "display": "index"}),
         "design_unit": (("point", "parameter"), d[[f"unit:{k}" for k in keys]].to_numpy())},
        coords={"point": np.arange(n), "replicate": [0], "period": ["2024Q1"],
                "decimal_year": ("period", [2024.125]), "parameter": keys,
                "design_group": ("point", d["group"].to_numpy()),
                "design_role": ("point", d["role"].to_numpy()),
                **{k: ("point", d[k].to_numpy()) for k in keys}},
        attrs={"format": "chipsim-output-1", "complete": 1, "design_type": design_type,
               "design_keys": ",".join(keys), "sweep_identity": "test", "replicates": 1})
    ds.to_netcdf(path, engine="h5netcdf")
    return chipsim.open(path)


def ishigami(x1, x2, x3, a=7.0, b=0.1):
    return np.sin(x1) + a * np.sin(x2) ** 2 + b * x3 ** 4 * np.sin(x1)


def test_sobol_indices_of_the_ishigami_function(exe, tmp_path):
    pi = math.pi
    body = "[design]\ntype = \"saltelli\"\nsamples = 16384\n" + "".join(
        f'[[parameter]]\nkey = "x{i}"\nrange = [{-pi!r}, {pi!r}]\n' for i in (1, 2, 3))
    d = design(exe, tmp_path, body)
    assert len(d) == 16384 * 5
    y = ishigami(d["x1"], d["x2"], d["x3"])
    ds = point_file(tmp_path / "ishigami.h5", d, y, "saltelli")
    idx = chipsim.sobol_indices(ds, chipsim.point_outcome(ds, "y"), n_boot=200)
    # Analytic values (Ishigami & Homma 1990; Sobol' & Levitan 1999), a = 7, b = 0.1.
    a, b = 7.0, 0.1
    v1 = 0.5 * (1 + b * pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = 8 * b ** 2 * pi ** 8 / 225
    v = v1 + v2 + v13
    s1 = np.array([v1, v2, 0.0]) / v
    st = np.array([v1 + v13, v2, v13]) / v
    assert np.allclose(idx["S1"], s1, atol=0.02), idx
    assert np.allclose(idx["ST"], st, atol=0.02), idx
    # The intervals hold the estimate and are narrow at this sample size.
    assert ((idx["S1_low"] <= idx["S1"]) & (idx["S1"] <= idx["S1_high"])).all()
    assert (idx["ST_high"] - idx["ST_low"] < 0.1).all(), idx


def test_morris_ranks_the_inputs_of_sobols_g_function(exe, tmp_path):
    a = [0, 1, 4.5, 9, 99, 99]  # importance falls as a_i rises (Saltelli et al. 2008, 3.3)
    body = "[design]\ntype = \"morris\"\nsamples = 60\nlevels = 4\n" + "".join(
        f'[[parameter]]\nkey = "x{i}"\nrange = [0.0, 1.0]\n' for i in range(6))
    d = design(exe, tmp_path, body)
    x = d[[f"x{i}" for i in range(6)]].to_numpy()
    y = np.prod((np.abs(4 * x - 2) + np.array(a)) / (1 + np.array(a)), axis=1)
    ds = point_file(tmp_path / "g.h5", d, y, "morris")
    m = chipsim.morris_indices(ds, chipsim.point_outcome(ds, "y"), n_boot=200)
    mu = m["mu_star"].to_numpy()
    assert mu[0] > mu[1] > mu[2] > mu[3] > max(mu[4], mu[5]), m
    assert mu[4] < 0.05 * mu[0] and mu[5] < 0.05 * mu[0], m
    assert (m["mu_star_low"] <= m["mu_star"]).all() and (m["mu_star"] <= m["mu_star_high"]).all()


def test_prim_finds_a_planted_box(exe, tmp_path):
    body = "[design]\ntype = \"lhs\"\nsamples = 2000\ncandidates = 1\n" + "".join(
        f'[[parameter]]\nkey = "x{i}"\nrange = [0.0, 1.0]\n' for i in range(5))
    d = design(exe, tmp_path, body)
    x = d[[f"x{i}" for i in range(5)]]
    planted = (x["x0"].between(0.2, 0.6)) & (x["x1"].between(0.5, 0.9))
    rng = np.random.default_rng(3)
    y = np.where(rng.random(len(x)) < 0.05, ~planted, planted)  # 5% label noise
    ds = point_file(tmp_path / "box.h5", d, y.astype(float), "lhs")
    r = chipsim.prim_sweep(ds, chipsim.point_outcome(ds, "y"), 0.5)
    i = r.select(0.85)
    lim = r.limits(i)
    assert set(lim.index) == {"x0", "x1"}, lim
    assert abs(lim.loc["x0", "low"] - 0.2) < 0.05 and abs(lim.loc["x0", "high"] - 0.6) < 0.05
    assert abs(lim.loc["x1", "low"] - 0.5) < 0.05 and abs(lim.loc["x1", "high"] - 0.9) < 0.05
    t = r.trajectory
    # The planted box itself covers the positives inside it (label noise puts ~5% of the
    # others outside any box): the found box reaches at least 90% of that coverage.
    best = y[planted.to_numpy()].sum() / y.sum()
    assert t.loc[i, "coverage"] >= 0.9 * best and t.loc[i, "density"] >= 0.85, (best, t.loc[i])
    assert t["density"].iloc[0] == pytest.approx(y.mean())  # the first box holds everything
    assert (np.diff(t["mass"].to_numpy()) < 0).all()   # each peel shrinks the box
    assert (np.diff(t["coverage"].to_numpy()) <= 1e-12).all()
    box, stats = r.paste(i)  # pasting never lowers the density
    assert stats["density"] >= t.loc[i, "density"] - 1e-12
    assert (box["low"] <= r.box(i)["low"]).all() and (box["high"] >= r.box(i)["high"]).all()


@pytest.fixture(scope="module")
def grid(exe, tmp_path_factory):
    d = tmp_path_factory.mktemp("grid")
    out = d / "grid.h5"
    subprocess.run([exe, "sweep", str(ROOT / "scenarios/sweeps/hbm-smic-grid.toml"), "-n", "4",
                    "-q", "-o", str(out), "--variables",
                    "production,domestic_units,market_units,domestic_share_units"],
                   check=True, stdout=subprocess.DEVNULL)
    return chipsim.open(out)


def test_a_sweep_opens_with_its_points_and_swept_coordinates(grid):
    assert grid["domestic_units"].dims[:2] == ("point", "replicate")
    keys = chipsim.swept_keys(grid)
    assert keys == ["inventory.huawei-hbm.quantity", "foundry.SMIC.node.N7.capacity"]
    table = chipsim.design_table(grid)
    assert table.shape == (25, 2)
    one = chipsim.select_points(grid, {keys[0]: 9.0e6, keys[1]: 30000})
    assert one.sizes["point"] == 1 and int(one["point"]) == 12
    with pytest.raises(KeyError, match="not a swept value"):
        chipsim.select_points(grid, {keys[0]: 1.0})
    # summary by point, and a fan chart of one point
    s = chipsim.summary(grid, "domestic_share_units", by="point", freq="year", region="CN")
    assert set(s["point"]) == set(range(25)) and len(s) == 25 * 7
    ax = chipsim.fan_chart(grid.sel(point=12), "domestic_share_units", region="CN")
    assert ax.get_title("left") == "Domestic share of the accelerators reaching region - CN"


def test_more_hbm_never_lowers_huaweis_output_in_the_grid(grid):
    """Common random numbers make neighbouring points paired: with SMIC's capacity fixed,
    Huawei's 2025-2026 output cannot fall as its HBM stockpile grows."""
    hw = [p for p in grid["product"].values if str(p).startswith("Ascend")]
    out = chipsim.aggregate(grid, "production", freq="year", product=hw).sel(
        year=[2025, 2026]).sum("year")
    keys = chipsim.swept_keys(grid)
    for cap in np.unique(grid[keys[1]].values):
        pts = chipsim.select_points(grid, {keys[1]: cap})["point"].values
        series = out.sel(point=pts)  # HBM ascending (the grid's first key varies slowest)
        diffs = series.diff("point")
        assert (diffs >= -1e-6 * series.max()).all(), (cap, series.mean("replicate").values)


def test_to_ema_shapes(grid):
    exp, out = chipsim.to_ema(grid, ["domestic_share_units"], region="CN")
    assert len(exp) == 25 * 4
    assert {"inventory.huawei-hbm.quantity", "scenario", "policy", "model"} <= set(exp.columns)
    assert out["domestic_share_units"].shape == (100, grid.sizes["period"])
    assert out["TIME"].shape == (100, grid.sizes["period"])


def test_sweep_plots(grid, tmp_path):
    keys = chipsim.swept_keys(grid)
    hw = [p for p in grid["product"].values if str(p).startswith("Ascend")]
    y = chipsim.point_outcome(grid, "production", 2026, product=hw)
    ax = chipsim.sweep_heatmap(grid, y)
    assert ax.get_xlabel() == "N7.capacity" and ax.get_ylabel() == "huawei-hbm.quantity"
    ax.figure.savefig(tmp_path / "h.png")
    with h5py.File(grid.attrs["chipsim_path"]) as f:
        assert f.attrs["design_type"] == "grid"
        assert list(f["point_error"].asstr()[()]) == [""] * 25
    assert keys


def test_the_report_has_a_sweep_section(grid, tmp_path):
    from chipsim import report

    page = pathlib.Path(report.build([grid.attrs["chipsim_path"]], str(tmp_path))).read_text()
    assert "Sweep: grid design, 25 points x 4 replicates" in page
    assert "sweep_heatmap.png" in page and (tmp_path / "sweep_heatmap.png").exists()
    assert "inventory.huawei-hbm.quantity" in page
