"""``grokbench export``: the results store as tidy tables (csv, or parquet with pyarrow)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from grokbench.commands.common import add_store_argument


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "export",
        help="write the results store as tidy tables (runs, records, verdicts) for pandas",
        description="Write runs.csv (one row per run: hash, label, status, config keys, "
        "summary numbers), records.csv (one row per evaluation record, probes as columns), "
        "verdicts.csv (one row per verdict) and verdict_values.csv (label, id, key, value) "
        "into DIR; pandas reads each with one pd.read_csv(path). Exit 2 for bad input.",
    )
    add_store_argument(parser)
    parser.add_argument("--label", default=None, help="only the runs and verdicts of this label")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder for the tables")
    parser.add_argument(
        "--format",
        choices=("csv", "parquet"),
        default="csv",
        help="csv (default) or parquet (needs pyarrow: pip install pyarrow)",
    )
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from grokbench.claims.export import check_format, export
    from grokbench.infra.store import Store, default_path
    from grokbench.spec import ConfigError

    check_format(args.format)
    path = Path(args.store) if args.store is not None else default_path()
    if not path.is_file():
        raise ConfigError(f"export: no store at {path}")
    with Store(path) as store:
        written = export(store, Path(args.out), args.format, args.label)
    sys.stderr.write(f"grokbench export: {len(written)} tables in {args.out}\n")
    return 0
