"""Model plug-ins: loading by import path, the numerical checks, claims that do not apply."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from grokbench.claims.applicability import not_applicable, reasons, screen
from grokbench.claims.evaluate import select
from grokbench.cli import main
from grokbench.engine import probes
from grokbench.engine.batch_run import plan
from grokbench.engine.config import make_config
from grokbench.engine.model_plugins import ModelCheck
from grokbench.engine.runner import prepare, run
from grokbench.papers.lyu24.catalogue import BY_ID
from grokbench.spec import ConfigError, RunConfig

HERE = Path(__file__).parent
FAST = {"evals": 30}


def plugin(name: str, experiment: str = "sparse-cls", **extra: object) -> RunConfig:
    return make_config(experiment, "smoke", {"model": f"plugin_models:{name}", **FAST, **extra})


@pytest.mark.parametrize(
    "path, words",
    [
        ("no_colon", "not an import path"),
        ("plugin_models:", "not an import path"),
        ("no_such_module_xyz:f", "cannot import"),
        ("plugin_models:no_such_factory", "cannot import"),
    ],
)
def test_an_unknown_import_path_is_a_config_error(path, words):
    with pytest.raises(ConfigError, match=words) as error:
        make_config("sparse-cls", "smoke", {"model": path})
    assert str(error.value).startswith("model:") and "\n" not in str(error.value)


def test_an_unknown_import_path_is_one_line_and_exit_2(tmp_path):
    out = tmp_path / "t.json"
    result = subprocess.run(
        [sys.executable, "-m", "grokbench", "run", "sparse-cls", "--scale", "smoke",
         "--set", "model=plugin_models:no_such_factory", "--out", str(out)],
        capture_output=True, text=True, timeout=120, cwd=HERE,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "model: cannot import 'plugin_models:no_such_factory'" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("name, words", [("needs_foo", "needs foo"), ("not_a_module", "not a")])
def test_a_factory_that_cannot_be_called_is_a_config_error(name, words):
    with pytest.raises(ConfigError, match=words):
        prepare(plugin(name))


@pytest.mark.parametrize(
    "name, experiment, homogeneous, zero_init",
    [
        ("diagonal", "sparse-cls", True, True),
        ("declared_diagonal", "sparse-cls", True, True),
        ("shifted_diagonal", "sparse-cls", True, False),
        ("biased_diagonal", "sparse-cls", False, True),
        ("misdeclared_diagonal", "sparse-cls", False, True),
        ("mlp", "modadd", True, True),
    ],
)
def test_homogeneity_and_zero_init_are_measured(name, experiment, homogeneous, zero_init):
    check = prepare(plugin(name, experiment)).model_check
    assert check is not None
    assert check["homogeneous"] is homogeneous and check["zero_init"] is zero_init
    assert all(abs(L - 2) < 0.01 for L in check["degree_estimates"])  # all are degree 2
    assert bool(check["warnings"]) is not (homogeneous and zero_init)
    gated = {i.rpartition("/")[2] for i in not_applicable(ModelCheck(**check))}
    if not zero_init:
        assert {"K1", "K2", "T1", "R2"} <= gated
        assert "R1" not in gated  # the late phase needs homogeneity only
    if not homogeneous:
        assert {"K1", "T1", "R1", "R5"} <= gated
    assert not {"M1", "W1", "X1", "G1"} & gated


def test_a_correct_plugin_reproduces_the_builtin_model():
    builtin = run(make_config("sparse-cls", "smoke", FAST))
    plugged = run(plugin("diagonal"))
    assert plugged.summary["model_check"]["homogeneous"]
    assert "model_check" not in builtin.summary
    assert plugged.config["model"] == "plugin_models:diagonal" and "model" not in builtin.config
    assert len(plugged.records) == len(builtin.records)
    for a, b in zip(plugged.records, builtin.records, strict=True):
        assert math.isclose(a.train_loss, b.train_loss, rel_tol=1e-9)
        # another computation path: a test point may flip where an output is near zero
        assert abs(a.test_acc - b.test_acc) <= 1 / builtin.config["task"]["n_test"] + 1e-12


def test_the_run_summary_warns_about_a_wrong_model(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(HERE)
    out = tmp_path / "trace.json"
    args = ["run", "sparse-cls", "--scale", "smoke", "--set", "evals=20", "--out", str(out)]
    code = main([*args, "--set", "model=plugin_models:shifted_diagonal"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "WARNING" in printed and "not zero at init" in printed and "K1" in printed
    check = json.loads(out.read_text())["summary"]["model_check"]
    assert check["zero_init"] is False and check["reference_output_rel"] > 0.1


def test_claims_that_do_not_apply_are_inconclusive_and_not_run():
    claims = select("K1,R1,X1")
    kept, skipped = screen(claims, "smoke", {"model": "plugin_models:shifted_diagonal"})
    assert [c.bare_id for c in kept] == ["R1", "X1"]
    (k1,) = skipped
    assert k1.id == "lyu24/K1" and k1.status == "inconclusive" and "not zero at init" in k1.reason
    assert k1.measured["reference_output_rel"] > 0.1


def test_claims_that_read_another_models_parameters_do_not_apply():
    config = make_config("sparse-cls", "smoke", {"model": "plugin_models:mlp"})
    kept, skipped = screen(select("K1,K2,R1,R2"), "smoke", {"model": config.model})
    assert [c.bare_id for c in kept] == ["K1", "R2"]
    assert all("lacks" in v.reason for v in skipped)
    assert reasons(BY_ID["K2"], _check(config)) and not reasons(BY_ID["R2"], _check(config))


def _check(config: RunConfig):  # type: ignore[no-untyped-def]
    from grokbench.engine.model_plugins import ModelCheck

    return ModelCheck(**prepare(config).model_check)  # type: ignore[arg-type]


def test_probes_a_plugin_cannot_answer_are_left_out():
    fast = {"dynamics": "gd", "lr": 0.05, "horizon": "1/wd"}  # ReLU kinks slow the flow down
    config = make_config("sparse-cls", "smoke", {"model": "plugin_models:mlp", **FAST, **fast})
    trace = run(config, probes=[probes.reference_cosine, probes.support_match])
    assert trace.status == "ok"
    assert "cos_ref" in trace.records[-1].probes
    assert "support_topk" not in trace.records[-1].probes


def test_runs_with_different_models_are_not_batched_together():
    configs = [make_config("sparse-cls", "smoke"), plugin("diagonal")]
    assert plan(configs) == [[0], [1]]


def test_builtin_configs_keep_their_hash_and_plugins_round_trip():
    builtin = make_config("sparse-cls", "smoke")
    assert "model" not in builtin.to_dict()
    plugged = plugin("diagonal")
    again = RunConfig.from_dict(plugged.to_dict())
    assert again == plugged and again.key() == plugged.key() != builtin.key()


# -- grokbench claims --label / --baseline / --store ---------------------------------------


def claims(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "claims", "--scale", "smoke", "--only", "R2", "--store", str(tmp_path / "s.sqlite"),
        "--json", str(tmp_path / "v.json"), "--report", str(tmp_path / "r.md"), *extra,
    ]  # fmt: skip


def test_label_saves_and_baseline_compares(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(HERE)
    assert main(claims(tmp_path, "--label", "base")) == 0
    assert "saved as 'base'" in capsys.readouterr().out
    assert main(claims(tmp_path, "--label", "again", "--baseline", "base")) == 0
    assert "OK: base → again" in capsys.readouterr().out  # same commit, same verdicts
    wrong = ["--set", "model=plugin_models:shifted_diagonal", "--baseline", "base"]
    assert main(claims(tmp_path, *wrong)) == 1
    printed = capsys.readouterr().out
    assert "REGRESSION" in printed and "| lyu24/R2" in printed and "pass → inconclusive" in printed
    from grokbench.infra.store import Store

    with Store(tmp_path / "s.sqlite") as store:
        assert store.labels() == ["again", "base"]


@pytest.mark.parametrize(
    "extra, words",
    [(["--baseline", "nope"], "nope"), (["--label", " "], "--label")],
)
def test_bad_label_or_baseline_is_exit_2_before_running(tmp_path, capsys, extra, words):
    assert main(claims(tmp_path, *extra)) == 2
    assert words in capsys.readouterr().err
    assert not (tmp_path / "v.json").exists()
