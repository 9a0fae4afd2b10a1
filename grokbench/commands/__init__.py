"""Subcommands of the ``grokbench`` command; each module has ``register(subparsers)``."""

from grokbench.commands import run

COMMANDS = [run]
