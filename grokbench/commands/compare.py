"""``grokbench compare BASE NEW``: what changed between two verdict sets.

Each side is a verdict JSON file or, when no such file exists, a label in the results
store. Prints a markdown table and a one-line summary; exit 1 when a claim regressed,
0 otherwise, 2 for bad input. The rules are in ``grokbench.compare``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from grokbench.compare import check_verdicts, compare_verdicts, render
from grokbench.fileio import read_json
from grokbench.spec import ConfigError
from grokbench.store import ENV_VAR, Store, default_path


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "compare",
        help="compare two verdict sets (JSON files or store labels); exit 1 on a regression",
        description="Compare two verdict sets, each a verdict JSON file or a store label: "
        "a markdown table of claims whose status changed or whose measured values left "
        "their tolerance. Exit 1 on a regression, 0 otherwise, 2 for bad input.",
    )
    parser.add_argument("base", metavar="BASE", help="verdict JSON path or store label")
    parser.add_argument("new", metavar="NEW", help="verdict JSON path or store label")
    parser.add_argument(
        "--store",
        default=None,
        metavar="PATH",
        help=f"results store for labels (default: ${ENV_VAR} or .grokbench/results.sqlite)",
    )
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
    base = load_side(args.base, args.store)
    new = load_side(args.new, args.store)
    result = compare_verdicts(base, new)
    print(render(result, args.base, args.new))
    return result.exit_code
