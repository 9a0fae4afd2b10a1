"""Subcommands of the ``grokbench`` command; each module has ``register(subparsers)``."""

from grokbench.commands import baselines, claims, compare, export, run, sweep

COMMANDS = [run, baselines, claims, compare, sweep, export]
