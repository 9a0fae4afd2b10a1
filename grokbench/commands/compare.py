"""``grokbench compare BASE NEW [NEW …]``: what changed between verdict sets.

Each side is a verdict JSON file or, when no such file exists, a label in the results
store. Prints a markdown table and a one-line summary; exit 1 when a claim regressed,
0 otherwise, 2 for bad input. The rules are in ``grokbench.claims.compare``; with more than two
sides, or ``--format``/``--out``, the side-by-side table of ``grokbench.claims.multicompare``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from grokbench.claims.compare import check_verdicts, compare_verdicts, render
from grokbench.claims.multicompare import FORMATS, compare_many, render_many
from grokbench.commands.common import add_store_argument
from grokbench.infra.atomic import read_json, write_atomic
from grokbench.infra.store import Store, default_path
from grokbench.spec import ConfigError


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "compare",
        help="compare verdict sets (JSON files or store labels); exit 1 on a regression",
        description="Compare verdict sets, each a verdict JSON file or a store label. Two "
        "sides: a markdown table of claims whose status changed or whose measured values "
        "left their tolerance. More sides (or --format/--out): one row per claim, one column "
        "per side (status and measured values), each side compared with BASE. Exit 1 when "
        "any side regressed against BASE, 0 otherwise, 2 for bad input.",
    )
    parser.add_argument("base", metavar="BASE", help="verdict JSON path or store label")
    parser.add_argument(
        "new",
        metavar="NEW",
        nargs="+",
        help="verdict JSON paths or store labels, each compared with BASE",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="side-by-side table, one row per claim and one column per side: md (default), "
        "csv or json (two sides without --format/--out print the table of changes)",
    )
    parser.add_argument("--out", default=None, metavar="PATH", help="write the table here")
    add_store_argument(parser, " for labels")
    parser.set_defaults(func=main)


def load_side(name: str, store_path: str | Path | None) -> dict[str, dict[str, Any]]:
    """The verdicts of one side: a verdict JSON file if ``name`` exists, else a store label."""
    path = Path(name)
    if path.exists() or path.suffix == ".json":
        return check_verdicts(read_json(path), str(path))
    store = Path(store_path) if store_path is not None else default_path()
    if not store.is_file():
        raise ConfigError(f"{name}: no such verdict file, and no store at {store} to find a label")
    with Store(store) as opened:
        return check_verdicts(opened.get_verdicts(name), f"label {name!r} in {store}")


def main(args: argparse.Namespace) -> int:
    names = [args.base, *args.new]
    sides = [load_side(name, args.store) for name in names]
    if len(sides) > 2 or args.format is not None or args.out is not None:
        many = compare_many(names, sides)
        text = render_many(many, args.format or "md")
        if args.out is not None:
            write_atomic(args.out, text)
        else:
            print(text, end="")
        return many.exit_code
    base, new = sides
    result = compare_verdicts(base, new)
    print(render(result, *names))
    return result.exit_code
