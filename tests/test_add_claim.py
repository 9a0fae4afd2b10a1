"""A claim of one's own: the README's worked example (examples/stays_grokked.py) through
``grokbench claims --plugin``, and a planted wrong expectation that fails it."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from grokbench.claims import registry
from grokbench.claims.registry import add_claim
from grokbench.cli import main
from grokbench.spec import Claim, ConfigError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "examples.stays_grokked"


@pytest.fixture(autouse=True)
def pristine_catalogue(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test adds claims to copies of the catalogue and imports the example afresh."""
    registry.catalogue.cache_clear()
    monkeypatch.chdir(ROOT)
    sys.modules.pop(EXAMPLE, None)
    yield
    sys.modules.pop(EXAMPLE, None)
    registry.catalogue.cache_clear()


def claims(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "claims", "--scale", "smoke", "--plugin", EXAMPLE, "--only", "E1",
        "--json", str(tmp_path / "v.json"), "--report", str(tmp_path / "r.md"), *extra,
    ]  # fmt: skip


def test_the_worked_example_adds_a_claim_that_passes(tmp_path: Path) -> None:
    assert main(claims(tmp_path)) == 0
    (verdict,) = json.loads((tmp_path / "v.json").read_text())["verdicts"]
    assert verdict["id"] == "E1" and verdict["status"] == "pass"
    assert verdict["measured"]["min_test_acc_once_grokked"] >= 0.99
    assert "| E1 " in (tmp_path / "r.md").read_text()


def test_a_planted_wrong_expectation_fails_it(tmp_path: Path, capsys) -> None:
    import examples.stays_grokked as example

    example.STAYS_GROKKED.limits["acc_min"] = 1.01  # a floor no accuracy can stay above
    assert main(claims(tmp_path)) == 1
    assert "E1" in capsys.readouterr().out
    (verdict,) = json.loads((tmp_path / "v.json").read_text())["verdicts"]
    assert verdict["status"] == "fail" and verdict["margin"] < 0


def test_a_module_that_cannot_be_imported_is_exit_2(tmp_path: Path, capsys) -> None:
    args = claims(tmp_path)
    args[args.index(EXAMPLE)] = "no_such_claims_module"
    assert main(args) == 2
    assert "--plugin: cannot import 'no_such_claims_module'" in capsys.readouterr().err
    assert not (tmp_path / "v.json").exists()


def _claim(claim_id: str, runs: str = "sparse-main") -> Claim:
    return Claim(claim_id, "t", "late phase", runs, "m", "e", {}, "§0")


def test_a_claim_id_in_use_or_an_unknown_run_set_is_refused() -> None:
    with pytest.raises(ConfigError, match="already in the catalogue"):
        add_claim(_claim("R2"), lambda claim, members: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(ConfigError, match="unknown run set 'nope'"):
        add_claim(_claim("E9", "nope"), lambda claim, members: None)  # type: ignore[arg-type,return-value]
    assert "E9" not in registry.catalogue().by_id
