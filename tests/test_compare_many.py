"""`grokbench compare A B C …`: the side-by-side table in md, csv and json, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from grokbench.cli import main
from grokbench.infra.store import Store
from tests.test_compare import BASE, changed


def write_sides(tmp_path: Path, *docs: dict) -> list[str]:
    paths = []
    for i, doc in enumerate(docs):
        path = tmp_path / f"side{i}.json"
        path.write_text(json.dumps(doc))
        paths.append(str(path))
    return paths


def test_three_sides_markdown_one_row_per_claim(tmp_path: Path, capsys: Any) -> None:
    sides = write_sides(
        tmp_path, BASE, changed(X1={"status": "pass"}), changed(K2={"status": "fail"})
    )
    assert main(["compare", *sides]) == 1  # the third side regressed on K2
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("| ")]
    assert len(lines) == 1 + len(BASE["verdicts"])  # header + one row per claim
    assert all(side in lines[0] for side in sides)
    k2 = next(line for line in lines if line.startswith("| K2"))
    assert "agreement=0.97" in k2 and "fail" in k2 and "regressed" in k2
    assert "REGRESSION" in out and "side2.json: 1 regressed (K2)" in out


def test_no_regression_exit_0_and_csv_out(tmp_path: Path, capsys: Any) -> None:
    sides = write_sides(tmp_path, BASE, BASE, changed(X1={"status": "pass"}))
    out = tmp_path / "table.csv"
    assert main(["compare", *sides, "--format", "csv", "--out", str(out)]) == 0
    assert capsys.readouterr().out == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["claim"] for r in rows] == [v["id"] for v in BASE["verdicts"]]
    x1 = rows[-1]
    assert x1[f"{sides[0]}:status"] == "fail" and x1[f"{sides[2]}:status"] == "pass"
    assert x1[f"{sides[2]}:change"] == "improved"
    assert float(rows[0][f"{sides[1]}:cos"]) == 0.98


def test_json_format_and_store_labels(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "results.sqlite"
    with Store(path) as store:
        store.put_verdicts("gd", BASE["verdicts"], BASE["env"])
        store.put_verdicts("adamw", changed(T1={"measured": 1.5})["verdicts"], {})
        store.put_verdicts("momentum", BASE["verdicts"], {})
    code = main(["compare", "gd", "adamw", "momentum", "--store", str(path), "--format", "json"])
    assert code == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["sides"] == ["gd", "adamw", "momentum"] and doc["regressed"] is True
    t1 = next(row for row in doc["claims"] if row["claim"] == "T1")
    assert t1["adamw:change"] == "regressed" and t1["momentum:change"] == "unchanged"
    assert t1["adamw:measured"] == {"": 1.5}


def test_two_sides_keep_the_table_of_changes(tmp_path: Path, capsys: Any) -> None:
    sides = write_sides(tmp_path, BASE, changed(K2={"status": "fail"}))
    assert main(["compare", *sides]) == 1
    out = capsys.readouterr().out
    header = [cell.strip() for cell in out.splitlines()[0].strip("|").split("|")]
    assert header == ["claim", "change", "status", sides[0], sides[1], "tolerance", "what moved"]


def test_bad_side_is_exit_2_without_output(tmp_path: Path, capsys: Any) -> None:
    sides = write_sides(tmp_path, BASE, BASE, {"schema": "nope"})
    out = tmp_path / "table.md"
    assert main(["compare", *sides, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and not out.exists()
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", *sides[:2], "--format", "xml"])
    assert exit_info.value.code == 2
