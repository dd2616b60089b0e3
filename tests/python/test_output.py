"""The HDF5 output as a researcher meets it: xarray and h5py open it, dimensions, coordinates
and units are there, /summary agrees with the raw replicates, and the file is the same
whatever the thread count or however the run was interrupted and resumed."""
import errno
import hashlib
import os
import random
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest
import xarray as xr

from conftest import BASELINE

QUANTILES = {"p05": 0.05, "p25": 0.25, "p50": 0.50, "p75": 0.75, "p95": 0.95}


def datasets(path):
    """Every dataset in the file (including /summary) as name -> array."""
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()])
                     if isinstance(obj, h5py.Dataset) else None)
    return out


def assert_same_data(a, b):
    da, db = datasets(a), datasets(b)
    assert sorted(da) == sorted(db)
    for name in da:
        x, y = da[name], db[name]
        assert x.dtype == y.dtype and x.shape == y.shape, name
        if x.dtype.kind == "O":  # variable-length strings: compare the values
            assert list(x.ravel()) == list(y.ravel()), f"{name} differs"
        else:  # numbers: compare the bytes, so NaN patterns and -0.0 count too
            assert x.tobytes() == y.tobytes(), f"{name} differs"


@pytest.fixture(scope="module")
def small(tmp_path_factory, run):
    path = tmp_path_factory.mktemp("out") / "small.h5"
    run(path, "-n", 40, "--seed", 11)
    return path


def test_xarray_opens_it_in_one_line(small):
    ds = xr.open_dataset(small, engine="h5netcdf")
    assert ds.sizes["replicate"] == 40
    assert ds.sizes["period"] == 28
    assert list(ds.period.values[:2]) == ["2024Q1", "2024Q2"]
    assert ds.decimal_year.values[0] == pytest.approx(2024.125)
    assert "CN" in list(ds.region.values)
    assert ds.units_sold.dims == ("replicate", "period", "product", "region", "channel")
    assert ds.revenue.dims == ("replicate", "period", "vendor", "region")
    vendors = dict(zip(ds["product"].values, ds.product_vendor.values))
    assert vendors["H20"] == "NVIDIA"
    assert dict(zip(ds.vendor.values, ds.vendor_region.values))["Huawei"] == "CN"
    assert dict(zip(ds.channel.values, ds.channel_legal.values))["smuggling"] == 0
    for name, var in ds.data_vars.items():
        assert "units" in var.attrs, name
        assert var.attrs.get("long_name"), name
    assert ds.binding_input.attrs["flag_meanings"].split()[:3] == ["none", "demand", "dies"]
    # The binding supplier: -1 none, then nodes, HBM suppliers, packagers, the vendor's stock.
    sup = ds.binding_supplier
    meanings = sup.attrs["flag_meanings"].split()
    assert sup.dtype == "int16" and list(sup.attrs["flag_values"])[:2] == [-1, 0]
    assert meanings[0] == "none" and meanings[-1] == "hbm_stock"
    assert {"TSMC.N4", "SMIC.N7", "HiBL", "CXMT", "CoWoS"} <= set(meanings)
    assert int(sup.min()) >= -1 and int(sup.max()) < len(meanings) - 1
    share = ds.domestic_share_revenue.sel(region="CN")
    assert float(share.min()) >= 0 and float(share.max()) <= 1


def test_provenance_on_the_root(small):
    with h5py.File(small, "r") as f:
        a = f.attrs
        assert a["seed"] == 11
        assert a["replicates"] == 40 and a["replicates_written"] == 40 and a["complete"] == 1
        text = a["scenario_text"]
        assert hashlib.sha256(text.encode()).hexdigest() == a["scenario_sha256"]
        assert "baseline" in a["scenario"]
        for key in ("chipsim_version", "git_commit", "command_line", "created"):
            assert a[key], key
        assert f["units_sold"].attrs["units"] == "1"
        assert f["units_sold"].chunks[0] <= 64  # chunked along replicates


def test_summary_equals_quantiles_of_the_raw_replicates(small):
    raw = xr.open_dataset(small, engine="h5netcdf")
    summary = xr.open_dataset(small, engine="h5netcdf", group="summary")
    accuracy = raw.attrs["summary_quantile_relative_accuracy"]
    assert list(summary.stat.values) == ["mean", "p05", "p25", "p50", "p75", "p95"]
    for name in ("market_revenue", "domestic_share_revenue", "production", "units_sold",
                 "effective_compute", "price"):
        values = raw[name].values
        np.testing.assert_allclose(summary[name].sel(stat="mean").values, values.mean(axis=0),
                                   rtol=1e-12, atol=0, err_msg=name)
        for stat, q in QUANTILES.items():
            exact = np.quantile(values, q, axis=0, method="lower")
            got = summary[name].sel(stat=stat).values
            # the documented bound: relative error <= accuracy (values below 1e-30 count as 0)
            assert np.all(np.abs(got - exact) <= accuracy * np.abs(exact) + 1e-30), (name, stat)


def test_same_data_for_1_2_and_4_threads(tmp_path, run):
    paths = []
    for threads in (1, 2, 4):
        p = tmp_path / f"t{threads}.h5"
        run(p, "-n", 150, "--seed", 5, "--threads", threads)
        paths.append(p)
    assert_same_data(paths[0], paths[1])
    assert_same_data(paths[0], paths[2])


@pytest.mark.parametrize("extra", [[], ["--summary-only"]])
def test_the_same_command_writes_the_same_bytes(tmp_path, chipsim, extra):
    """With SOURCE_DATE_EPOCH fixing `created`, and no modification times stored in object
    headers, a repeated command writes the same file byte for byte (they differed in ~60
    bytes of timestamps). The output goes to the same path both times, since the command line
    is recorded."""
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    digests = []
    for _ in range(2):
        r = subprocess.run([chipsim, "run", str(BASELINE), "-o", "same.h5", "-q", "-n", "70",
                            "--threads", "2", "--seed", "4", "--force", *extra],
                           cwd=tmp_path, env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        digests.append(hashlib.sha256((tmp_path / "same.h5").read_bytes()).hexdigest())
        time.sleep(1.05)  # a stored time, were there one, would now differ
    assert digests[0] == digests[1]
    with h5py.File(tmp_path / "same.h5", "r") as f:
        assert f.attrs["created"] == "2023-11-14T22:13:20Z"
    r = subprocess.run([chipsim, "run", str(BASELINE), "-o", "x.h5", "-n", "2"], cwd=tmp_path,
                       env=dict(env, SOURCE_DATE_EPOCH="yesterday"), capture_output=True,
                       text=True)
    assert r.returncode == 2 and not (tmp_path / "x.h5").exists()
    assert r.stderr == ("chipsim: error: SOURCE_DATE_EPOCH: expected whole seconds since "
                        "1970-01-01 UTC (0 to 253402300799), got 'yesterday'\n")


def stored_chunks(path):
    """Every stored chunk of every chunked dataset, as HDF5 stored it (filter mask, bytes)."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, d):
            if isinstance(d, h5py.Dataset) and d.chunks is not None:
                for i in range(d.id.get_num_chunks()):
                    offset = d.id.get_chunk_info(i).chunk_offset
                    out[(name, offset)] = d.id.read_direct_chunk(offset)
        f.visititems(visit)
    return out


@pytest.mark.parametrize("extra", [[], ["--compression", "0"], ["--compression", "6"],
                                   ["--float32"], ["--variables", "binding_input,price"]])
def test_chunks_filtered_by_the_workers_are_the_bytes_hdf5_stores(tmp_path, run, extra):
    """On one thread HDF5's own filters (shuffle, deflate, Fletcher-32) write the chunks; on
    two, the workers filter them (sim/io/chunk_filters.cpp) and the writer stores them with
    a direct chunk write. The stored bytes must be the same, chunk by chunk, the last,
    partial chunk (130 = 2 x 64 + 2 replicates) and its fill included; and the file must open
    in xarray."""
    one, two = tmp_path / "one.h5", tmp_path / "two.h5"
    run(one, "-n", 130, "--seed", 8, "--threads", 1, *extra)
    run(two, "-n", 130, "--seed", 8, "--threads", 2, *extra)
    a, b = stored_chunks(one), stored_chunks(two)
    assert sorted(a) == sorted(b) and len(a) >= 3
    for key in a:
        assert a[key] == b[key], key
    assert all(mask == 0 for mask, _ in b.values())
    ds = xr.open_dataset(two, engine="h5netcdf")
    assert ds.sizes["replicate"] == 130


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_interrupted_run_resumes_to_the_same_file(tmp_path, run, chipsim, sig):
    # 1.35 s in the Release build on 2 threads, against signals at most 0.4 s after the
    # partial file appears (about 0.1 s in)
    args = ["-n", 1200, "--seed", 9, "--threads", 2]
    reference = tmp_path / "reference.h5"
    run(reference, *args)
    rng = random.Random(int(sig))
    interrupted = 0
    for attempt in range(2):
        out = tmp_path / f"cut{attempt}.h5"
        cmd = [chipsim, "run", str(BASELINE), "-o", str(out), "-q", *map(str, args)]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # wait until the partial file exists, then interrupt at a random moment
        deadline = time.time() + 30
        while not (out.parent / (out.name + ".partial")).exists() and time.time() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.05, 0.4))
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        partial = out.parent / (out.name + ".partial")
        if proc.returncode == 0:  # finished before the signal: nothing to resume
            assert_same_data(reference, out)
            continue
        if sig == signal.SIGINT:
            assert proc.returncode == 130, err
            assert "--resume" in err
        assert partial.exists() and not out.exists()
        interrupted += 1
        resumed = run(out, *args, "--resume")
        assert resumed.returncode == 0
        assert not partial.exists()
        assert_same_data(reference, out)
    assert interrupted > 0, "every run finished before the signal: the test tested nothing"


def test_a_kill_while_the_file_is_created_leaves_no_broken_partial(tmp_path, run, chipsim):
    """The skeleton is built under OUT.partial.creating and renamed once flushed, so a
    SIGKILL at any moment early in a run leaves either no partial file or one that opens
    and resumes to the uninterrupted file (a kill during creation used to leave a partial
    HDF5 could not open, most often under the slower sanitizer build)."""
    args = ["-n", 200, "--seed", 4, "--threads", 2]
    reference = tmp_path / "reference.h5"
    run(reference, *args)
    rng = random.Random(7)
    for attempt in range(6):
        out = tmp_path / f"early{attempt}.h5"
        partial = out.parent / (out.name + ".partial")
        proc = subprocess.Popen([chipsim, "run", str(BASELINE), "-o", str(out), "-q",
                                 *map(str, args)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 0.25))  # from process start: before, during, after creation
        proc.kill()
        proc.wait(timeout=60)
        if out.exists():
            assert_same_data(reference, out)
            continue
        if partial.exists():
            with h5py.File(partial, "r") as f:  # opens: never a broken partial
                assert f.attrs["complete"] == 0
        resumed = run(out, *args, "--resume")  # resumes, or starts when nothing is there
        assert resumed.returncode == 0
        assert not partial.exists()
        assert_same_data(reference, out)


def test_summary_only_file(tmp_path, run):
    p = tmp_path / "s.h5"
    run(p, "-n", 30, "--summary-only")
    with h5py.File(p, "r") as f:
        assert "units_sold" not in f and "summary/units_sold" in f
    s = xr.open_dataset(p, engine="h5netcdf", group="summary")
    assert s.market_revenue.dims == ("stat", "period", "region")


def test_variables_and_float32(tmp_path, run):
    p = tmp_path / "v.h5"
    run(p, "-n", 10, "--variables", "price,production", "--float32", "--compression", 0)
    ds = xr.open_dataset(p, engine="h5netcdf")
    # The event record is always written: it is what conditional summaries need.
    assert sorted(ds.data_vars) == ["event_period", "price", "production"]
    assert ds.price.dtype == np.float32


def test_single_replicate(tmp_path, run):
    p = tmp_path / "one.h5"
    run(p, "-n", 1)
    ds = xr.open_dataset(p, engine="h5netcdf")
    assert ds.sizes["replicate"] == 1


def test_inspect_rejects_a_foreign_hdf5_file(tmp_path, chipsim):
    p = tmp_path / "foreign.h5"
    with h5py.File(p, "w") as f:
        f["x"] = np.arange(3)
    r = subprocess.run([chipsim, "inspect", str(p)], capture_output=True, text=True)
    assert r.returncode == 1
    assert "not a chipsim output file" in r.stderr


def test_resume_refuses_a_different_run(tmp_path, run):
    p = tmp_path / "r.h5"
    partial = tmp_path / "r.h5.partial"
    run(p, "-n", 20, "--seed", 1)
    os.rename(p, partial)  # pretend it is unfinished
    with h5py.File(partial, "a") as f:
        f.attrs["complete"] = 0
    r = run(p, "-n", 20, "--seed", 2, "--resume", check=False)
    assert r.returncode == 2
    assert "cannot resume" in r.stderr and "--seed 1, this run has 2" in r.stderr


def test_a_signal_stops_the_recomputation_of_a_resumed_run(tmp_path, run, chipsim):
    """Resuming recomputes the replicates on disk for the summaries, which takes as long as
    the run so far; SIGINT and SIGTERM (a scheduler's time limit) stop it within a period,
    and the partial file keeps its replicates. A summary-only file whose checkpoint says
    50,000 of 100,000 stands in for a long run: it has no per-replicate data to copy, and
    recomputing its replicates would take about 20 s on 2 threads."""
    out = tmp_path / "long.h5"
    partial = tmp_path / "long.h5.partial"
    run(out, "-n", 2, "--summary-only")
    os.rename(out, partial)
    with h5py.File(partial, "a") as f:
        f.attrs["replicates"] = 100000
        f.attrs["replicates_written"] = 50000
        f.attrs["complete"] = 0
    for sig in (signal.SIGINT, signal.SIGTERM):
        cmd = [chipsim, "run", str(BASELINE), "-o", str(out), "-n", "100000", "--summary-only",
               "--threads", "2", "--resume"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        line = proc.stderr.readline()
        assert line == ("chipsim run: resuming after 50000 replicates on disk; recomputing "
                        "their summaries first\n")
        proc.send_signal(sig)
        t0 = time.time()
        _, err = proc.communicate(timeout=60)
        assert time.time() - t0 < 10, "the signal waited for the recomputation"
        assert proc.returncode == 130, err
        assert err == (f"chipsim run: interrupted by signal {int(sig)} while recomputing the "
                       f"summaries of the 50000 replicates on disk; '{partial}' holds them as "
                       "before. Continue with the same command plus --resume\n")
        assert not out.exists()
        with h5py.File(partial, "r") as f:
            assert f.attrs["replicates_written"] == 50000 and f.attrs["complete"] == 0


def test_a_full_disk_is_a_clear_error_and_no_complete_looking_file(tmp_path, chipsim):
    """Writes fail once the file would exceed 2 MB (RLIMIT_FSIZE, the way a full disk fails
    writes): chipsim must stop with exit code 1 and a message giving the OS cause, and never
    create OUT. SIGXFSZ keeps its default action here (it kills a process that does not
    handle it): chipsim ignores it itself, so the write fails with EFBIG and is reported."""
    import resource

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2_000_000, 2_000_000))

    out = tmp_path / "full.h5"
    r = subprocess.run([chipsim, "run", str(BASELINE), "-n", "500", "-q", "-o", str(out),
                        "--compression", "0"], capture_output=True, text=True, preexec_fn=limit)
    assert r.returncode == 1, r.stderr
    assert "chipsim: error:" in r.stderr and str(out) in r.stderr
    assert os.strerror(errno.EFBIG) in r.stderr, r.stderr
    assert not out.exists()


def test_progress_bar_on_a_terminal_and_plain_lines_otherwise(tmp_path, chipsim):
    import pty

    out = tmp_path / "p.h5"
    master, slave = pty.openpty()
    proc = subprocess.Popen([chipsim, "run", str(BASELINE), "-n", "300", "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    shown = b"".join(chunks).decode(errors="replace")
    assert proc.returncode == 0
    assert "rep/s" in shown and "ETA" in shown and "300/300" in shown
    assert "\r[" in shown  # a redrawn bar
    # Friction (issue 10): not a terminal (a batch log), plain progress lines - one per 10%
    # at most, so the log is never empty - and no carriage returns.
    r = subprocess.run([chipsim, "run", str(BASELINE), "-n", "640", "-o", str(tmp_path / "q.h5")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert "\r" not in r.stderr and 1 <= len(lines) <= 11, r.stderr
    assert all(line.startswith("chipsim run: ") and " replicates (" in line for line in lines)
    assert lines[-1].startswith("chipsim run: 640/640 replicates (100%)"), lines
    # -q silences it.
    r = subprocess.run([chipsim, "run", str(BASELINE), "-n", "50", "-q", "-o",
                        str(tmp_path / "s.h5")], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == ""
