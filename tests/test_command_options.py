"""``--set`` and ``--store`` mean the same in every subcommand that takes them
(``grokbench.commands.common`` writes them once)."""

from __future__ import annotations

import argparse

import pytest

from grokbench.cli import build_parser
from grokbench.infra.store import ENV_VAR

SUBCOMMANDS = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
POSITIONAL = {"run": ["sparse-cls"], "baselines": ["sparse-cls"], "sweep": ["sparse-cls"],
              "compare": ["a", "b"], "export": ["--out", "x"]}  # fmt: skip


def option(parser: argparse.ArgumentParser, flag: str) -> argparse.Action:
    (action,) = [a for a in parser._actions if flag in a.option_strings]
    return action


@pytest.mark.parametrize("command", ["run", "baselines", "claims", "sweep"])
def test_set_is_a_repeatable_list_of_overrides(command: str) -> None:
    parser = SUBCOMMANDS[command]
    args = parser.parse_args([*POSITIONAL.get(command, []), "--set", "a=1", "--set", "b=2"])
    assert args.overrides == ["a=1", "b=2"]
    assert parser.parse_args(POSITIONAL.get(command, [])).overrides == []
    action = option(parser, "--set")
    assert action.metavar == "KEY=VALUE" and "override a setting" in str(action.help)


@pytest.mark.parametrize("command", ["claims", "compare", "export", "sweep"])
def test_store_is_a_path_defaulting_to_the_environment(command: str) -> None:
    parser = SUBCOMMANDS[command]
    assert parser.parse_args(POSITIONAL.get(command, [])).store is None
    assert parser.parse_args([*POSITIONAL.get(command, []), "--store", "s.db"]).store == "s.db"
    action = option(parser, "--store")
    assert action.metavar == "PATH"
    assert f"(default: ${ENV_VAR} or .grokbench/results.sqlite)" in str(action.help)


def test_every_command_writes_its_output_with_out(tmp_path) -> None:
    """One name for the output option: --out (the contract's --json kept as its alias)."""
    from grokbench.cli import build_parser

    parser = build_parser()
    for argv, dest in (
        (["run", "sparse-cls"], "out"),
        (["baselines", "sparse-cls"], "json"),
        (["claims"], "json"),
        (["compare", "a", "b"], "out"),
        (["export", "--store", "s"], "out"),
    ):
        args = parser.parse_args([*argv, "--out", str(tmp_path / "x")])
        assert getattr(args, dest) == str(tmp_path / "x"), argv
    assert parser.parse_args(["claims", "--json", "v.json"]).json == "v.json"


def test_claims_threads_applies_to_runs_in_this_process(monkeypatch) -> None:
    """Without an executor or store every run is in this process: --threads sets torch's."""
    import torch

    from grokbench.commands.claims import _stored_runs

    monkeypatch.delenv(ENV_VAR, raising=False)
    before = torch.get_num_threads()
    target = 1 if before != 1 else 2
    args = argparse.Namespace(executor=None, store=None, fresh=False, threads=target, workers=None)
    try:
        with _stored_runs(args) as compute:
            assert compute is None and torch.get_num_threads() == target
    finally:
        torch.set_num_threads(before)
