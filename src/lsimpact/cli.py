"""The ``lsimpact`` command.

    lsimpact data [NAME ...] [--force] [--list]    build data/processed/ from data/raw/
    lsimpact report [--out DIR]                   execute notebooks, write reports/
    lsimpact catalog list | verify                the raw-data catalogue
    lsimpact clean NAME INPUT -o OUTPUT [--with INPUT=FILE]  clean a user's own file
    lsimpact validate NAME FILE                   check a user's file, exit 0 if lossless
    lsimpact synth NAME -o OUTPUT [--seed N]      write a synthetic raw file
    lsimpact init DIR                             write a ready project folder
    lsimpact --version

User mistakes (bad files, unknown names) print a short message and exit with status 2;
``validate`` exits 1 when the file would lose rows.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .errors import LsimpactError


def _cmd_data(args: argparse.Namespace) -> int:
    from . import datasets

    if args.list:
        for name in datasets.names():
            print(f"{name:28s} {datasets.get(name).description}")
        return 0
    names = args.names or datasets.names()
    for name in names:
        res = datasets.build(name, force=args.force)
        state = "built" if res.rebuilt else "up to date"
        print(f"{res.path} ({state})")
        print(res.summary)
        print(f"  quarantine: {res.quarantine_path}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from . import report

    report.run(
        Path(args.out).resolve() if args.out else None, update_readme_list=not args.no_readme
    )
    return 0


def _cmd_catalog(args: argparse.Namespace) -> int:
    from . import catalog

    with pd.option_context("display.width", 200, "display.max_colwidth", 70):
        if args.action == "list":
            print(catalog.list_resources().to_string(index=False))
        else:
            rep = catalog.verify()
            for r in rep.itertuples():
                print(f"ok  {r.name:34s} sha256 {r.actual[:16]}…")
            print(f"{len(rep)} raw files match the catalogue")
    return 0


def _print_quarantine_digest(q: pd.DataFrame, limit: int = 10) -> None:
    if q.empty:
        return
    counts = q.groupby(["column", "reason"], sort=True).size().sort_values(ascending=False)
    print("quarantined rows by reason:")
    for (col, reason), n in counts.head(limit).items():
        print(f"  {n:>8,}  {col}: {reason}")
    print("first quarantined rows:")
    print(q.head(limit).to_string(index=False))


def _print_source(cleaned) -> None:
    src = cleaned.source
    if src:
        enc = f", encoding {src['encoding']}" if src.get("encoding") else ""
        cols = f"; columns: {', '.join(src['columns'])}" if src.get("columns") else ""
        how = f" ({src['files']} file(s), engine {src['engine']})" if src.get("engine") else ""
        print(f"read {src['path']}{how}: {src['rows']:,} rows{enc}{cols}")


def _paired(args: argparse.Namespace) -> dict[str, str]:
    """``--with live_sessions=FILE`` options as {input name: path}."""
    out = {}
    for item in getattr(args, "with_", None) or []:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise LsimpactError(
                f"cannot read --with {item!r}",
                expected="--with INPUT=FILE, e.g. --with live_sessions=my_sessions.csv",
            )
        out[name.strip()] = path.strip()
    return out


def _cmd_clean(args: argparse.Namespace) -> int:
    from . import datasets, engines

    out = Path(args.output)
    # one line before the work: which engine runs, and why (auto: size vs free memory)
    print(engines.explain_engine(datasets.get(args.name), args.input, args.engine)[1])
    cleaned = datasets.clean_file(
        args.name,
        args.input,
        out,
        paired=_paired(args),
        engine=args.engine,
        scheduler=args.scheduler,
    )
    _print_source(cleaned)
    print(cleaned.summary)
    print(f"wrote {out}")
    print(f"quarantine: {datasets.quarantine_path(out)}")
    _print_quarantine_digest(cleaned.quarantine)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from . import datasets

    cleaned = datasets.clean_file(args.name, args.file, paired=_paired(args))
    print(f"{args.file}: checked as raw input of '{args.name}'")
    _print_source(cleaned)
    print(cleaned.summary)
    _print_quarantine_digest(cleaned.quarantine)
    lossless = cleaned.summary.quarantined_rows == 0
    print(
        "OK: the file can be cleaned without loss"
        if lossless
        else f"NOT OK: {cleaned.summary.quarantined_rows:,} row(s) would be quarantined"
    )
    return 0 if lossless else 1


def _cmd_synth(args: argparse.Namespace) -> int:
    import json

    from . import synth
    from .io import write_text

    if args.name not in synth.available():
        raise LsimpactError(
            f"unknown generator '{args.name}'", expected=", ".join(synth.available())
        )
    gen = synth.GENERATORS[args.name]
    df, truth = gen(seed=args.seed) if args.seed is not None else gen()
    out = Path(args.output)
    write_text(out, df.to_csv(index=False, lineterminator="\n"))
    print(f"wrote {len(df):,} rows to {out}")
    print("true effects:", json.dumps(truth, indent=2, default=str, ensure_ascii=False))
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    from . import project

    target = project.init(args.folder)
    print(f"wrote a project folder: {target}")
    print(f"  cd {target} && make reports   # or: lsimpact report")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    p = argparse.ArgumentParser(
        prog="lsimpact",
        description="Employment and consumption effects of live-streaming commerce.",
    )
    from ._version import __version__

    p.add_argument("--version", action="version", version=f"lsimpact {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser(
        "data",
        help="build data/processed/ from data/raw/",
        description="Clean and validate the shipped raw data into data/processed/<name>.parquet, "
        "printing the row accounting; quarantined rows go to <name>.quarantine.csv.",
    )
    d.add_argument("names", nargs="*", help="datasets to build (default: all)")
    d.add_argument("--force", action="store_true", help="rebuild even when up to date")
    d.add_argument("--list", action="store_true", help="list the datasets and exit")
    d.set_defaults(func=_cmd_data)

    r = sub.add_parser(
        "report",
        help="execute the notebooks and build reports/",
        description="Execute notebooks/NN_*.ipynb in order, then write reports/manifest.json, "
        "reports/index.html and the README's list of exhibits.",
    )
    r.add_argument("--out", help="reports folder (default: reports/)")
    r.add_argument(
        "--no-readme", action="store_true", help="do not update the README's exhibit list"
    )
    r.set_defaults(func=_cmd_report)

    c = sub.add_parser(
        "catalog",
        help="list or verify the raw-data catalogue",
        description="List the resources of data/raw/datapackage.json, or verify their sha256 hashes.",
    )
    c.add_argument("action", choices=["list", "verify"])
    c.set_defaults(func=_cmd_catalog)

    cl = sub.add_parser(
        "clean",
        help="clean your own file",
        description="Clean a file in the raw format of dataset NAME (CSV/GBK/Excel/Parquet/Stata), "
        "print the row accounting, write OUTPUT and the quarantine beside it.",
    )
    cl.add_argument("name", help="dataset name (see `lsimpact data --list`)")
    cl.add_argument("input", help="your file, a folder of files, or a glob ('logs/*.csv')")
    cl.add_argument(
        "-o", "--output", required=True, help="output .parquet path (a folder for --engine dask)"
    )
    cl.add_argument(
        "--engine",
        choices=["auto", "pandas", "chunked", "dask"],
        default="auto",
        help="pandas: in memory; chunked: by account, bounded memory; dask: on a Dask cluster "
        "(pip install 'lsimpact[scale]'); auto (default): chunked for folders and for files "
        "whose in-memory cleaning would need more than the available memory",
    )
    cl.add_argument("--scheduler", help="Dask scheduler address (default: a local cluster)")
    cl.add_argument(
        "--with",
        dest="with_",
        action="append",
        metavar="INPUT=FILE",
        help="your companion file, e.g. --with live_sessions=sessions.csv for prices",
    )
    cl.set_defaults(func=_cmd_clean)

    v = sub.add_parser(
        "validate",
        help="check your file against a dataset's raw format",
        description="Check FILE as raw input of dataset NAME and print a readable report. "
        "Exit status 0 when it can be cleaned without loss, 1 otherwise.",
    )
    v.add_argument("name")
    v.add_argument("file")
    v.add_argument(
        "--with",
        dest="with_",
        action="append",
        metavar="INPUT=FILE",
        help="your companion file, e.g. --with live_sessions=sessions.csv for prices",
    )
    v.set_defaults(func=_cmd_validate)

    s = sub.add_parser(
        "synth",
        help="write a synthetic raw file",
        description="Run a seeded generator and write its raw table (CSV) and print its true effects.",
    )
    s.add_argument("name")
    s.add_argument("-o", "--output", required=True)
    s.add_argument("--seed", type=int, default=None)
    s.set_defaults(func=_cmd_synth)

    i = sub.add_parser(
        "init",
        help="write a ready project folder",
        description="Write DIR with the shipped raw data (data/raw), the report notebooks, a "
        "Makefile and a README, for running the full study with the installed lsimpact.",
    )
    i.add_argument("folder", metavar="DIR", help="new or empty folder")
    i.set_defaults(func=_cmd_init)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except LsimpactError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
