"""``grokbench baselines EXPERIMENT``: every baseline's test metric, fit time and sparsity."""

from __future__ import annotations

import argparse
from typing import Any

from tabulate import tabulate

from grokbench.commands.run import add_config_arguments
from grokbench.infra.atomic import write_json
from grokbench.spec import BASELINES_SCHEMA, BaselineResult, ConfigError


def register(sub: Any) -> None:
    parser = sub.add_parser("baselines", help="fit the kernel, max-margin and trivial baselines")
    add_config_arguments(parser)
    parser.add_argument(
        "--out", "--json", dest="json", default=None, metavar="PATH",
        help="write the results as JSON (--out, as in every command; --json is the same)",
    )  # fmt: skip
    parser.add_argument(
        "--only", default=None, metavar="NAME,NAME", help="fit only these baselines"
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="refit everything, bypassing the fit cache"
    )
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from grokbench.baselines.compute import run_baselines  # torch, scikit-learn: imported when run
    from grokbench.engine.config import make_config, parse_overrides

    config = make_config(args.experiment, args.scale, parse_overrides(args.overrides))
    names = None
    if args.only is not None:
        names = [name.strip() for name in args.only.split(",") if name.strip()]
        if not names:
            raise ConfigError("--only: give at least one baseline name")
    results = run_baselines(config, names, use_cache=not args.no_cache)
    if args.json:
        write_json(args.json, to_json(config.experiment, config.scale, results))
    print(render_table(results))
    if args.json:
        print(f"baselines written to {args.json}")
    return 0


def to_json(experiment: str, scale: str, results: list[BaselineResult]) -> dict[str, Any]:
    """The grokbench.baselines/1 document."""
    return {
        "schema": BASELINES_SCHEMA,
        "experiment": experiment,
        "scale": scale,
        "baselines": [result.to_dict() for result in results],
    }


def render_table(results: list[BaselineResult]) -> str:
    """name | test metric | fit time | nnz, in the github format."""
    rows = [
        (r.name, f"test_{r.metric}", f"{r.test_value:.6g}", f"{r.fit_s:.3g}", r.nnz)
        for r in results
    ]
    headers = ("baseline", "metric", "value", "fit [s]", "nnz")
    return tabulate(rows, headers=headers, tablefmt="github", missingval="-")
