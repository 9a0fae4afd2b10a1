"""Subcommands of the ``grokbench`` command; each module has ``register(subparsers)``."""

from grokbench.commands import baselines, claims, compare, export, papers, run, sweep

COMMANDS = [run, baselines, claims, papers, compare, sweep, export]
