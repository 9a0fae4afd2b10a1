"""Subcommands of the ``grokbench`` command; each module has ``register(subparsers)``."""

from grokbench.commands import claims, compare, run

COMMANDS = [run, claims, compare]
