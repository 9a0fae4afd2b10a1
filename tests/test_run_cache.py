"""grokbench claims with a store: runs are computed once per config, run set and code
version, reused after that (re-judging takes seconds), and a job stopped midway computes
only what is missing when started again."""

import json

import pytest

from grokbench.cli import main
from grokbench.infra.store import Store
from grokbench.scaleout.units import store_key

ONLY = ["--scale", "smoke", "--only", "R2,X1"]  # sparse-main (1 run), controls (2)


def _claims(tmp_path, name, *extra):
    out = tmp_path / f"{name}.json"
    args = ["claims", *ONLY, "--store", str(tmp_path / "runs.sqlite"), "--json", str(out),
            "--report", str(tmp_path / f"{name}.md"), *extra]  # fmt: skip
    code = main(args)
    return code, json.loads(out.read_text())["verdicts"]


def _line(capsys):
    return next(line for line in capsys.readouterr().out.splitlines() if line.startswith("runs:"))


def test_a_second_judgement_reuses_every_stored_run(tmp_path, capsys):
    code, first = _claims(tmp_path, "first")
    assert _line(capsys).startswith("runs: 0 reused, 3 computed")
    code_again, again = _claims(tmp_path, "again")
    assert _line(capsys).startswith("runs: 3 reused, 0 computed")
    assert code == code_again
    assert [(v["id"], v["status"], v["measured"]) for v in first] == [
        (v["id"], v["status"], v["measured"]) for v in again
    ]
    _claims(tmp_path, "fresh", "--fresh")
    assert _line(capsys).startswith("runs: 0 reused, 3 computed")


def test_a_run_set_is_stored_under_its_own_name(tmp_path, capsys):
    _claims(tmp_path, "first")
    capsys.readouterr()
    with Store(tmp_path / "runs.sqlite") as store:
        keys = {info.config_hash for info in store.runs()}
    assert all(":" in key for key in keys)
    assert {key.split(":")[1] for key in keys} == {"controls", "sparse-main"}


def test_a_stopped_job_computes_only_what_is_missing(tmp_path, capsys):
    """The first job got as far as R2's run set; the whole job then computes X1's alone."""
    _claims(tmp_path, "partial", "--only", "R2")
    assert _line(capsys).startswith("runs: 0 reused, 1 computed")
    _claims(tmp_path, "whole")
    assert _line(capsys).startswith("runs: 1 reused, 2 computed")


def test_another_code_version_computes_again(tmp_path, capsys):
    _claims(tmp_path, "first", "--code-version", "a")
    _line(capsys)
    _claims(tmp_path, "second", "--code-version", "b")
    assert _line(capsys).startswith("runs: 0 reused, 3 computed")


def test_fresh_without_a_store_is_bad_input(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GROKBENCH_STORE", raising=False)
    code = main(["claims", *ONLY, "--fresh", "--json", str(tmp_path / "v.json")])
    assert code == 2 and "--fresh" in capsys.readouterr().err
    assert not (tmp_path / "v.json").exists()


def test_store_key_names_the_run_set():
    from grokbench.engine.config import make_config

    config = make_config("sparse-cls", "smoke")
    assert store_key(config) == config.key()
    assert store_key(config, "sparse-main") == f"{config.key()}:sparse-main"


@pytest.mark.parametrize("option", ["--workers=0", "--threads=0"])
def test_bad_counts_are_bad_input(tmp_path, option, capsys):
    code = main(["claims", *ONLY, "--store", str(tmp_path / "s.sqlite"), option])
    assert code == 2


def test_fail_on_decides_what_exits_1(tmp_path, capsys):
    """X1 fails at smoke scale in both verdict sets: against a baseline that is no
    regression (exit 0 by default), a failure all the same with --fail-on fail or any."""
    store = str(tmp_path / "runs.sqlite")

    def claims(*extra):
        out = ["--json", str(tmp_path / "v.json"), "--report", str(tmp_path / "r.md")]
        return main(["claims", "--scale", "smoke", "--only", "X1", "--store", store, *out, *extra])

    assert claims("--label", "base") == 1  # X1 fails: exit 1 without a baseline
    assert claims("--baseline", "base") == 0
    assert claims("--baseline", "base", "--fail-on", "fail") == 1
    assert claims("--baseline", "base", "--fail-on", "any") == 1
    capsys.readouterr()
    assert claims("--fail-on", "regression") == 2
    assert "--fail-on regression" in capsys.readouterr().err


def test_a_rejudge_draws_no_data(tmp_path, capsys, monkeypatch):
    """The baselines are kept in the store with the runs, so a second judgement neither
    draws a dataset nor fits (at paper scale 20–30 s a member for the data alone)."""
    code, first = _claims(tmp_path, "first")
    _line(capsys)
    from grokbench.engine import runner

    def no_data(*args, **kwargs):
        raise AssertionError("the re-judge drew a dataset")

    monkeypatch.setattr(runner, "prepare", no_data)
    monkeypatch.setattr("grokbench.baselines.compute.prepare", no_data)
    code_again, again = _claims(tmp_path, "again")
    assert _line(capsys).startswith("runs: 3 reused, 0 computed") and code_again == code
    assert [(v["id"], v["status"], v["measured"]) for v in first] == [
        (v["id"], v["status"], v["measured"]) for v in again
    ]
