"""``grokbench --help`` lists the experiments, their settings, the claims and the exit codes
without importing torch; ``-q`` and ``-v`` set how much progress goes to stderr."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from grokbench.cli import build_parser, main
from grokbench.engine.experiments import EXPERIMENTS
from grokbench.infra import progress
from grokbench.papers.lyu24.catalogue import CLAIMS

#: Prints the help in a fresh interpreter, then the heavy modules it imported.
HELP_WITHOUT_TORCH = """
import sys
from grokbench.cli import main
try:
    main(["--help"])
except SystemExit as done:
    assert done.code == 0, done.code
heavy = ("torch", "numpy", "scipy", "sklearn", "matplotlib")
print("HEAVY:", sorted(m for m in heavy if m in sys.modules))
"""


def test_help_lists_experiments_settings_claims_and_exit_codes_without_torch() -> None:
    out = subprocess.run(
        [sys.executable, "-c", HELP_WITHOUT_TORCH], capture_output=True, text=True, check=True
    ).stdout
    assert out.rstrip().endswith("HEAVY: []")
    for name, experiment in EXPERIMENTS.items():
        assert name in out and ", ".join(experiment.task_keys) in out
    for claim in CLAIMS:
        assert f" {claim.id} " in out.replace("\n", " \n")
    assert "opt.<name>" in out and "init_norm" in out
    for code in ("0 ", "1 ", "2 ", "130 "):
        assert f"\n  {code}" in out.split("exit codes:")[1]


@pytest.mark.parametrize("command", ["run", "baselines", "claims", "compare", "sweep"])
def test_no_command_help_imports_torch(command: str) -> None:
    script = HELP_WITHOUT_TORCH.replace('["--help"]', f"[{command!r}, '--help']")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("HEAVY: []")


def test_quiet_and_verbose_set_the_verbosity(monkeypatch: pytest.MonkeyPatch) -> None:
    for flags, level in (([], 0), (["-q"], -1), (["--verbose"], 1)):
        args = build_parser().parse_args([*flags, "compare", "a.json", "b.json"])
        assert args.verbosity == level
    seen: list[int] = []
    monkeypatch.setattr(progress, "VERBOSITY", 0)
    monkeypatch.setattr(
        "grokbench.commands.compare.main", lambda args: seen.append(progress.VERBOSITY) or 0
    )
    assert main(["-q", "compare", "a.json", "b.json"]) == 0
    assert seen == [-1]  # set before the command runs


def test_quiet_and_verbose_together_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        build_parser().parse_args(["-q", "-v", "compare", "a", "b"])
    assert raised.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_quiet_silences_the_progress_bar_and_the_log(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(progress, "VERBOSITY", -1)
    terminal = Terminal()
    bar = progress.ProgressBar("run", terminal)
    bar(0.5)
    bar.close()
    progress.log("run set sparse-main (ci)")
    assert terminal.getvalue() == "" and capsys.readouterr().err == ""
    monkeypatch.setattr(progress, "VERBOSITY", 0)
    progress.log("run set sparse-main (ci)")
    assert capsys.readouterr().err == "run set sparse-main (ci)\n"


def test_verbose_writes_plain_progress_lines_off_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log = io.StringIO()
    assert not progress.ProgressBar("run", log).enabled  # the default: nothing in a log file
    monkeypatch.setattr(progress, "VERBOSITY", 1)
    bar = progress.ProgressBar("sparse-cls/ci", log)
    for step in range(1, 41):
        bar(step / 40)
    bar.close()
    lines = log.getvalue().splitlines()
    assert [line.split()[1] for line in lines] == [f"{10 * k}%" for k in range(1, 11)]
    assert "\r" not in log.getvalue()
