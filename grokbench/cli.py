"""The ``grokbench`` command: subcommands live in ``grokbench.commands``, one module each.

Bad input of any kind ends here as one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from grokbench.spec import ConfigError

EXIT_BAD_INPUT = 2


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is a single line (and exit 2, as argparse does)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    from grokbench.commands import COMMANDS  # heavy (torch); imported where Ctrl-C is handled

    parser = OneLineParser(prog="grokbench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except ConfigError as error:
        sys.stderr.write(f"grokbench: error: {error}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("grokbench: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
