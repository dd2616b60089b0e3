"""Display units: how numbers are shown to a reader. The same table as the command line's
(sim/engine/display.hpp); tests check that the two print the same text. Each variable names
its kind in the file (the ``display`` attribute); the file itself keeps USD, units, PFLOP/s
and fractions.

=========  =========  ================================================
kind       file unit  shown as
=========  =========  ================================================
money      USD        USD with a suffix: 6.27 B, 350.00 M, 12.5 k
count      1          12.5 k, 1.20 M, 3.40 B
share      1          percent: 42.0%
compute    PFLOP/s    EFLOP/s, always (1 EFLOP/s = 1,000 PFLOP/s)
index      1          three significant digits
=========  =========  ================================================
"""
from __future__ import annotations

import math

import numpy as np


RESIDUE = 1e-6  # as kResidue in sim/engine/display.hpp


def _suffixed(v: float, thousands: bool) -> str:
    if isinstance(v, float) and math.isnan(v):
        return "n/a"
    if not math.isfinite(v):
        return "inf" if v > 0 else "-inf"
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:.2f} B"
    if a >= 1e6:
        return f"{v / 1e6:.2f} M"
    if a >= 1e3 and thousands:
        return f"{v / 1e3:.1f} k"
    return f"{v:.3g}"  # C's %.3g


def format_value(kind: str, v) -> str:
    """A value in file units as the command line prints it (no unit)."""
    v = float(v)
    if kind in ("money", "count"):
        # below a millionth of a dollar or unit: floating-point residue, shown as 0
        return "0" if abs(v) < RESIDUE else _suffixed(v, True)
    if kind == "share":
        return f"{100 * v:.1f}%" if math.isfinite(v) else _suffixed(v, False)
    if kind == "compute":
        return f"{v / 1000:.2f}" if math.isfinite(v) else _suffixed(v, False)
    return _suffixed(v, False)


def format_difference(kind: str, v) -> str:
    """A difference of two values: as format_value, except that a difference of shares is
    in percentage points ("-4.9 pp")."""
    v = float(v)
    if kind == "share" and math.isfinite(v):
        return f"{100 * v:.1f} pp"
    return format_value(kind, v)


def display_unit(kind: str) -> str:
    return {"money": "USD", "share": "%", "compute": "EFLOP/s"}.get(kind, "")


def kind_of(da) -> str:
    return str(da.attrs.get("display", "index"))


def axis_scale(kind: str, values) -> tuple[float, str]:
    """A factor and an axis label for plotting values of `kind` (file units)."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    top = float(np.max(np.abs(finite))) if finite.size else 0.0
    if kind == "share":
        return 100.0, "%"
    if kind == "compute":
        return 1e-3, "EFLOP/s"
    if kind == "money":
        if top >= 1e9:
            return 1e-9, "USD billion"
        if top >= 1e6:
            return 1e-6, "USD million"
        return 1.0, "USD"
    if kind == "count":
        if top >= 1e6:
            return 1e-6, "million units"
        if top >= 1e3:
            return 1e-3, "thousand units"
        return 1.0, "units"
    return 1.0, ""
