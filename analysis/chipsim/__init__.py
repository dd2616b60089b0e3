"""chipsim: load, summarise, compare and plot chipsim output in Python.

    import chipsim
    ds = chipsim.open("out/baseline.h5")
    chipsim.fan_chart(ds, "domestic_share_revenue", region="CN")
    chipsim.summary(ds, "revenue", by="vendor", region="CN", freq="year")

Runs on Debian's python3 with its packages (xarray, h5netcdf, h5py, pandas, matplotlib;
dask optional, for files larger than memory).
"""
from .data import (ChipsimFileError, aggregate, by_time, compare, event_mask, event_probability,
                   headline_years, open, quantiles, regimes, rule, summary, to_frame, yearly)
from .plots import (calibration_plot, chokepoint_timeline, compare_chart, event_fan, fan_chart,
                    market_share, morris_plot, prim_plot, sobol_plot, sweep_heatmap)
from .sweep import (PrimResult, design_table, morris_indices, point_outcome, prim, prim_sweep,
                    select_points, sobol_indices, swept_keys, to_ema)

__all__ = ["ChipsimFileError", "open", "by_time", "to_frame", "aggregate", "rule", "summary", "compare",
           "quantiles", "yearly", "headline_years", "event_mask", "event_probability",
           "regimes", "fan_chart", "compare_chart", "event_fan", "market_share",
           "chokepoint_timeline", "calibration_plot", "swept_keys", "design_table",
           "select_points", "point_outcome", "sobol_indices", "morris_indices", "prim",
           "prim_sweep", "PrimResult", "to_ema", "sweep_heatmap", "sobol_plot", "morris_plot",
           "prim_plot"]
__version__ = "0.2.0"
