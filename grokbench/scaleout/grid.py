"""A sweep's grid from the command line: ``--grid key=v1,v2`` parsed, then expanded into
validated run configs (the cartesian product on top of a preset and ``--set``)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from grokbench.spec import ConfigError, RunConfig


def parse_grid(items: Sequence[str]) -> dict[str, list[str]]:
    """``["init_norm=10,100", "seed=0,1"]`` → ``{"init_norm": ["10", "100"], "seed": [...]}``."""
    grid: dict[str, list[str]] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        values = [value.strip() for value in raw.split(",") if value.strip()]
        if not sep or not key or not values:
            raise ConfigError(f"--grid: expected key=v1,v2,..., got {item!r}")
        if key in grid:
            raise ConfigError(f"--grid: {key} given twice; list all its values in one --grid")
        grid[key] = values
    return grid


def expand_grid(
    experiment: str,
    scale: str,
    overrides: Mapping[str, Any],
    grid: Mapping[str, Sequence[Any]],
) -> list[RunConfig]:
    """The cartesian product of ``grid`` on top of the preset and ``overrides``, every
    config validated before anything runs (the first key varies slowest)."""
    from grokbench.engine.config import make_config

    both = sorted(set(grid) & set(overrides))
    if both:
        raise ConfigError(f"--grid and --set both give {', '.join(both)}; keep one")
    keys = list(grid)
    return [
        make_config(experiment, scale, {**overrides, **dict(zip(keys, values, strict=True))})
        for values in itertools.product(*(grid[key] for key in keys))
    ]
