"""Subcommands of the ``grokbench`` command; each module has ``register(subparsers)``."""

from grokbench.commands import compare, run

COMMANDS = [run, compare]
