"""`grokbench compare`: flips, moved values, improvements, bad input and store labels."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from grokbench.claims.compare import Tolerance, check_verdicts, compare_verdicts, parse_tolerance
from grokbench.cli import main
from grokbench.infra.store import Store
from grokbench.spec import VERDICTS_SCHEMA


def verdict(claim: str, status: str = "pass", measured: Any = 1.0, tolerance: Any = 0.15) -> dict:
    return {
        "id": claim,
        "experiment": "sparse-cls",
        "scale": "ci",
        "status": status,
        "measured": measured,
        "expected": 1.0,
        "tolerance": tolerance,
        "margin": 0.1,
        "seeds": [0, 1, 2],
        "wall_s": 1.0,
        "reason": "",
    }


def document(*verdicts: dict) -> dict:
    return {"schema": VERDICTS_SCHEMA, "env": {"git_commit": "abc"}, "verdicts": list(verdicts)}


BASE = document(
    verdict("K2", measured={"agreement": 0.97, "cos": 0.98}, tolerance={"cos": "±0.01"}),
    verdict("T1", measured=1.02, tolerance="±0.15"),
    verdict("T3", measured=100.0, tolerance="5%"),
    verdict("R2", measured=0.995, tolerance="plateau within 3 pp of the L2 baseline"),
    verdict("X1", status="fail", measured=0.8, tolerance=0.05),
)


def run_compare(tmp_path: Path, base: dict, new: dict, capsys: Any) -> tuple[int, str]:
    (tmp_path / "base.json").write_text(json.dumps(base))
    (tmp_path / "new.json").write_text(json.dumps(new))
    code = main(["compare", str(tmp_path / "base.json"), str(tmp_path / "new.json")])
    return code, capsys.readouterr().out


def changed(**edits: dict) -> dict:
    """BASE with the fields of some claims replaced, e.g. changed(T1={"measured": 1.3})."""
    new = copy.deepcopy(BASE)
    for row in new["verdicts"]:
        row.update(edits.get(row["id"], {}))
    return new


def test_identical_inputs_exit_0(tmp_path: Path, capsys: Any) -> None:
    code, out = run_compare(tmp_path, BASE, BASE, capsys)
    assert code == 0
    assert out.strip() == f"OK: {tmp_path}/base.json → {tmp_path}/new.json: 5 unchanged"


@pytest.mark.parametrize("new_status", ["fail", "inconclusive"])
def test_flip_from_pass_is_a_regression_naming_the_claim(
    tmp_path: Path, capsys: Any, new_status: str
) -> None:
    code, out = run_compare(tmp_path, BASE, changed(T1={"status": new_status}), capsys)
    assert code == 1
    assert "| T1 " in out and f"pass → {new_status}" in out
    assert "| claim" in out and "|---" in out  # a github markdown table
    assert out.strip().splitlines()[-1].startswith("REGRESSION")
    assert "1 regressed (T1)" in out and "4 unchanged" in out


def test_fail_to_pass_is_an_improvement(tmp_path: Path, capsys: Any) -> None:
    code, out = run_compare(tmp_path, BASE, changed(X1={"status": "pass", "measured": 0.5}), capsys)
    assert code == 0
    assert "1 improved (X1)" in out and "fail → pass" in out


def test_scale_change_is_reported_not_a_regression(tmp_path: Path, capsys: Any) -> None:
    code, out = run_compare(tmp_path, BASE, changed(R2={"scale": "smoke"}), capsys)
    assert code == 0
    assert "1 changed (R2)" in out and "scale ci → smoke" in out


def test_missing_claim_is_a_regression(tmp_path: Path, capsys: Any) -> None:
    new = copy.deepcopy(BASE)
    new["verdicts"] = [v for v in new["verdicts"] if v["id"] != "R2"]
    new["verdicts"].append(verdict("G1"))
    code, out = run_compare(tmp_path, BASE, new, capsys)
    assert code == 1
    assert "1 missing (R2)" in out and "1 added (G1)" in out


@pytest.mark.parametrize(
    "edits, code, named",
    [
        ({"T1": {"measured": 1.16}}, 0, None),  # |Δ| 0.14 ≤ 0.15
        ({"T1": {"measured": 1.18}}, 1, "T1"),  # |Δ| 0.16 > 0.15
        ({"T3": {"measured": 104.0}}, 0, None),  # 4% ≤ 5%
        ({"T3": {"measured": 94.0}}, 1, "T3"),  # 6% > 5%
        ({"K2": {"measured": {"agreement": 0.5, "cos": 0.975}}}, 0, None),  # agreement unjudged
        ({"K2": {"measured": {"agreement": 0.97, "cos": 0.96}}}, 1, "cos"),
        ({"R2": {"measured": 0.5}}, 0, None),  # prose tolerance: status alone decides
        ({"X1": {"measured": 0.9}}, 1, "X1"),  # fail → fail but the value moved
        ({"T1": {"measured": None}}, 1, "no finite value"),
    ],
)
def test_values_beyond_tolerance(
    tmp_path: Path, capsys: Any, edits: dict, code: int, named: str | None
) -> None:
    got, out = run_compare(tmp_path, BASE, changed(**edits), capsys)
    assert got == code, out
    if named:
        assert named in out and "regressed" in out
    else:
        assert "5 unchanged" in out


@pytest.mark.parametrize(
    "raw, expected",
    [
        (0.15, Tolerance(0.15)),
        ("±0.15", Tolerance(0.15)),
        ("+/- 2", Tolerance(2.0)),
        ("5%", Tolerance(0.05, relative=True)),
        ("± 25% (eng.)", Tolerance(0.25, relative=True)),
        ("cos ≥ 0.99", None),
        (None, None),
        (True, None),
        (-1, None),
    ],
)
def test_parse_tolerance(raw: Any, expected: Tolerance | None) -> None:
    assert parse_tolerance(raw) == expected


def test_duplicate_ids_are_keyed_by_scale() -> None:
    rows = check_verdicts(document(verdict("K2"), {**verdict("K2"), "scale": "smoke"}), "x")
    assert set(rows) == {"K2@ci", "K2@smoke"}
    assert compare_verdicts(rows, rows).exit_code == 0


@pytest.mark.parametrize(
    "content, words",
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"schema": "other/1", "verdicts": []}), "schema"),
        (json.dumps(document({"id": "K2", "status": "maybe"})), "maybe"),
        (json.dumps(document({"status": "pass"})), "id"),
        (json.dumps([1, 2]), "schema"),
    ],
)
def test_bad_verdict_file_is_exit_2_one_line(
    tmp_path: Path, capsys: Any, content: str, words: str
) -> None:
    (tmp_path / "bad.json").write_text(content)
    (tmp_path / "good.json").write_text(json.dumps(BASE))
    code = main(["compare", str(tmp_path / "good.json"), str(tmp_path / "bad.json")])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert words in captured.err and "bad.json" in captured.err
    assert "Traceback" not in captured.err


def test_labels_are_looked_up_in_the_store(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "results.sqlite"
    with Store(path) as store:
        store.put_verdicts("gd", BASE["verdicts"], BASE["env"])
        store.put_verdicts("adamw", changed(K2={"status": "fail"})["verdicts"], {})
    (tmp_path / "base.json").write_text(json.dumps(BASE))
    assert main(["compare", "gd", "gd", "--store", str(path)]) == 0
    assert main(["compare", str(tmp_path / "base.json"), "adamw", "--store", str(path)]) == 1
    out = capsys.readouterr().out
    assert "1 regressed (K2)" in out


def test_store_from_env_and_unknown_label(
    tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "env.sqlite"
    with Store(path) as store:
        store.put_verdicts("gd", BASE["verdicts"], {})
    monkeypatch.setenv("GROKBENCH_STORE", str(path))
    assert main(["compare", "gd", "gd"]) == 0
    assert main(["compare", "gd", "nope"]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "gd" in err and len(err.strip().splitlines()) == 1


def test_label_without_a_store_and_a_broken_store(tmp_path: Path, capsys: Any) -> None:
    assert main(["compare", "a", "b", "--store", str(tmp_path / "absent.sqlite")]) == 2
    assert not (tmp_path / "absent.sqlite").exists()  # a lookup never creates a store
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"garbage" * 1000)
    assert main(["compare", "a", "b", "--store", str(broken)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "absent.sqlite" in err[0] and "broken.sqlite" in err[1]


def test_bare_ids_pair_with_their_one_namespaced_form() -> None:
    old = check_verdicts(document(verdict("K1"), verdict("T1", "fail")), "old")
    new = check_verdicts(document(verdict("lyu24/K1"), verdict("lyu24/T1")), "new")
    result = compare_verdicts(old, new)
    assert result.unchanged == ["lyu24/K1"]
    assert [(c.id, c.kind) for c in result.changes] == [("lyu24/T1", "improved")]
    # two packs with a T1: the bare id is ambiguous, so it is not paired with either
    both = check_verdicts(document(verdict("lyu24/T1"), verdict("kumar24/T1")), "both")
    kinds = sorted((c.id, c.kind) for c in compare_verdicts(old, both).changes)
    assert ("T1", "missing") in kinds and ("kumar24/T1", "added") in kinds
