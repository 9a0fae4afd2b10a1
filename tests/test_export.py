"""`grokbench export`: tidy csv tables from a small store, read back; bad input is exit 2."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from typing import Any

import pytest

from grokbench.claims.export import flatten
from grokbench.cli import main
from grokbench.infra.store import Store
from grokbench.spec import RunConfig
from tests.test_store import make_trace, make_verdict


def small_store(path: Path) -> list[str]:
    hashes = []
    with Store(path) as store:
        for seed, label in ((0, "gd"), (1, "gd"), (2, "adamw")):
            config = RunConfig(experiment="sparse-cls", scale="smoke", seed=seed, task={"n": 8})
            hashes.append(store.put_run(config, make_trace(config), label=label))
        store.put_verdicts(
            "gd", [make_verdict("K2"), make_verdict("T1", "fail")], {"device": "cpu"}
        )
        store.put_verdicts("adamw", [make_verdict("K2")], {})
    return hashes


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as stream:
        return list(csv.DictReader(stream))


def test_export_writes_four_tidy_tables(tmp_path: Path) -> None:
    hashes = small_store(tmp_path / "s.sqlite")
    out = tmp_path / "export"
    assert main(["export", "--store", str(tmp_path / "s.sqlite"), "--out", str(out)]) == 0
    runs = read(out / "runs.csv")
    assert [r["hash"] for r in runs] == hashes
    assert {r["label"] for r in runs} == {"gd", "adamw"}
    assert runs[0]["experiment"] == "sparse-cls" and runs[0]["seed"] == "0" and runs[0]["n"] == "8"
    assert runs[0]["status"] == "ok" and float(runs[0]["summary.t_grok"]) == 2.5
    records = read(out / "records.csv")
    assert len(records) == 3 * 4
    assert {"hash", "t", "step", "train_loss", "test_acc", "probe.cos"} <= set(records[0])
    assert float(records[3]["probe.cos"]) == pytest.approx(0.3)
    verdicts = read(out / "verdicts.csv")
    assert sorted((v["label"], v["id"], v["status"]) for v in verdicts) == [
        ("adamw", "K2", "pass"), ("gd", "K2", "pass"), ("gd", "T1", "fail")]  # fmt: skip
    values = read(out / "verdict_values.csv")
    assert list(values[0]) == ["label", "id", "key", "value"]
    assert {(v["label"], v["id"]) for v in values} == {("adamw", "K2"), ("gd", "K2"), ("gd", "T1")}


def test_export_one_label(tmp_path: Path) -> None:
    small_store(tmp_path / "s.sqlite")
    out = tmp_path / "export"
    args = ["export", "--store", str(tmp_path / "s.sqlite"), "--label", "adamw", "--out", str(out)]
    assert main(args) == 0
    assert [r["seed"] for r in read(out / "runs.csv")] == ["2"]
    assert [v["label"] for v in read(out / "verdicts.csv")] == ["adamw"]


def test_bad_input_is_exit_2_without_files(tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "export"
    assert main(["export", "--store", str(tmp_path / "none.sqlite"), "--out", str(out)]) == 2
    small_store(tmp_path / "s.sqlite")
    args = ["export", "--store", str(tmp_path / "s.sqlite"), "--out", str(out)]
    assert main([*args, "--label", "nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "nope" in err[1]
    assert not out.exists()


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is not None, reason="pyarrow installed")
def test_parquet_without_pyarrow_names_it(tmp_path: Path, capsys: Any) -> None:
    small_store(tmp_path / "s.sqlite")
    out = tmp_path / "export"
    args = ["export", "--store", str(tmp_path / "s.sqlite"), "--out", str(out)]
    assert main([*args, "--format", "parquet"]) == 2
    assert "pyarrow" in capsys.readouterr().err and not out.exists()


def test_flatten_keeps_leaf_names_unless_they_collide() -> None:
    flat = flatten({"seed": 1, "task": {"n": 8, "lr": 0.1}, "opt": {"lr": 0.2, "b": [1, 2]}})
    assert flat == {"seed": 1, "n": 8, "task.lr": 0.1, "opt.lr": 0.2, "b": "[1, 2]"}


def test_parquet_tables_read_back_with_pandas(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    hashes = small_store(tmp_path / "s.sqlite")
    out = tmp_path / "export"
    args = ["export", "--store", str(tmp_path / "s.sqlite"), "--out", str(out)]
    assert main([*args, "--format", "parquet"]) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    assert list(runs["hash"]) == hashes and list(runs["seed"]) == [0, 1, 2]
    records = pd.read_parquet(out / "records.parquet")
    assert len(records) == 3 * 4 and records["probe.cos"].iloc[3] == pytest.approx(0.3)
    verdicts = pd.read_parquet(out / "verdicts.parquet")
    assert sorted(zip(verdicts["label"], verdicts["id"], verdicts["status"], strict=True)) == [
        ("adamw", "K2", "pass"), ("gd", "K2", "pass"), ("gd", "T1", "fail")]  # fmt: skip
