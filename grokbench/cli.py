"""The ``grokbench`` command: subcommands live in ``grokbench.commands``, one module each.

Bad input of any kind ends here as one line on stderr and exit code 2, never a traceback.
Building the parser and printing ``--help`` import no torch: the subcommands import what
they compute with when they run, and the help lists the experiments, their settings and
the claims from the tables, which are plain data.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence

from grokbench import __version__
from grokbench.infra import allocator, progress
from grokbench.spec import ConfigError

EXIT_BAD_INPUT = 2

DESCRIPTION = (
    "Check the grokking claims of Lyu et al. (ICLR 2024) for your optimizer, model or "
    "machine: runs, baselines, verdicts. `grokbench COMMAND -h` shows a command's options."
)

EXIT_CODES = """\
exit codes:
  0    done: no claim failed, nothing regressed, every run finished
  1    a claim failed or regressed (claims, compare), a run diverged (run), a sweep run failed
  2    bad input: one line on stderr naming what is wrong, no output file
  130  interrupted (Ctrl-C): what finished is written"""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is a single line (and exit 2, as argparse does)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_BAD_INPUT)


class TopParser(OneLineParser):
    """The top-level parser: its help ends with the experiments, settings, claims and exit
    codes, put together only when the help is printed."""

    def format_help(self) -> str:
        self.epilog = overview()
        return super().format_help()


def overview() -> str:
    """Experiments with their own settings, the settings every run has, the claim ids by
    family, the exit codes: the help's epilog (read from the tables, without torch)."""
    from grokbench.engine.config import COMMON_KEYS
    from grokbench.engine.experiments import EXPERIMENTS
    from grokbench.papers.lyu24.catalogue import CLAIMS

    width = max(len(name) for name in EXPERIMENTS) + 2
    lines = ["experiments (run, baselines, sweep EXPERIMENT; --set KEY=VALUE):"]
    for name, experiment in EXPERIMENTS.items():
        lines.append(f"  {name:<{width}}{experiment.description}")
        lines.append(f"  {'':<{width}}settings: {', '.join(experiment.task_keys)}")
    every = ", ".join([*COMMON_KEYS, "opt.<name>"])
    lines.append(textwrap.fill(every, 92, initial_indent="  settings of every experiment: ",
                               subsequent_indent="    "))  # fmt: skip
    families: dict[str, list[str]] = {}
    for claim in CLAIMS:
        families.setdefault(claim.family, []).append(claim.id)
    width = max(len(family) for family in families) + 2
    lines += ["", "claims (claims --only ID,ID):"]
    lines += [f"  {family:<{width}}{' '.join(ids)}" for family, ids in families.items()]
    return "\n".join([*lines, "", EXIT_CODES])


def build_parser() -> argparse.ArgumentParser:
    from grokbench.commands import COMMANDS  # light: each command imports torch when it runs

    parser = TopParser(
        prog="grokbench",
        description=textwrap.fill(DESCRIPTION, 80),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"grokbench {__version__}")
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "-q",
        "--quiet",
        dest="verbosity",
        action="store_const",
        const=-1,
        default=0,
        help="no progress or log lines on stderr (errors only)",
    )
    loudness.add_argument(
        "-v",
        "--verbose",
        dest="verbosity",
        action="store_const",
        const=1,
        help="progress lines also when stderr is not a terminal (CI logs)",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        progress.set_verbosity(args.verbosity)
        allocator.keep_freed_memory()  # runs computed in this process
        return int(args.func(args) or 0)
    except ConfigError as error:
        sys.stderr.write(f"grokbench: error: {error}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("grokbench: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
