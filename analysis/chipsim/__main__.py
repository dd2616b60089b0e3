"""python3 -m chipsim report OUT.h5 [OTHER.h5 ...] -o DIR [--region R] [--targets FILE]
python3 -m chipsim fan OUT.h5 VARIABLE [--DIM LABEL ...] -o PLOT.png"""
from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m chipsim",
                                description="Reports and plots of chipsim output files")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("report", help="HTML report with plots and headline tables")
    r.add_argument("files", nargs="+", help="chipsim output files; the first is the reference")
    r.add_argument("-o", "--output", required=True, help="folder for index.html and its PNGs")
    r.add_argument("--region", default="CN", help="region to report on (default CN)")
    r.add_argument("--targets", help="calibration targets TOML, for the calibration plot")
    f = sub.add_parser("fan", help="fan chart of one variable to a PNG")
    f.add_argument("file")
    f.add_argument("variable")
    f.add_argument("-o", "--output", required=True, help="PNG to write")
    f.add_argument("--region")
    f.add_argument("--vendor")
    f.add_argument("--product")
    f.add_argument("--buyer")
    f.add_argument("--channel")
    f.add_argument("--ecosystem")
    args = p.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    from . import data, plots, report

    try:
        if args.command == "report":
            out = report.build(args.files, args.output, region=args.region, targets=args.targets)
            print(f"wrote {out}")
        else:
            ds = data.open(args.file)
            sel = {k: getattr(args, k) for k in ("region", "vendor", "product", "buyer",
                                                 "channel", "ecosystem") if getattr(args, k)}
            ax = plots.fan_chart(ds, args.variable, **sel)
            ax.figure.savefig(args.output, dpi=110)
            print(f"wrote {args.output}")
    except (data.ChipsimFileError, KeyError, ValueError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"python3 -m chipsim {args.command}: error: {msg}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
