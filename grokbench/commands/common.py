"""Options that several subcommands take, written once: ``--set`` and ``--store``."""

from __future__ import annotations

import argparse

from grokbench.infra.store import ENV_VAR

OVERRIDES_EXAMPLE = "--set alpha=10 --set dynamics=gd"


def add_overrides_argument(
    parser: argparse.ArgumentParser, scope: str = "", example: str = OVERRIDES_EXAMPLE
) -> None:
    """``--set KEY=VALUE`` (repeatable) into ``args.overrides``, a list of strings for
    ``grokbench.engine.config.parse_overrides``; ``scope`` says which runs it changes."""
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=f"override a setting{scope} (repeatable), e.g. {example}",
    )


def add_store_argument(parser: argparse.ArgumentParser, purpose: str = "") -> None:
    """``--store PATH`` into ``args.store`` (None: ``$GROKBENCH_STORE`` or the default path,
    as ``grokbench.infra.store`` resolves it); ``purpose`` says what the store is read for."""
    parser.add_argument(
        "--store",
        default=None,
        metavar="PATH",
        help=f"results store{purpose} (default: ${ENV_VAR} or .grokbench/results.sqlite)",
    )
