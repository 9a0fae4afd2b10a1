"""Two-phase runs (grokbench.engine.phases: ``phase2_keep``, ``phase2_at``) and the varma23
pack's run sets and checks; two smoke runs of about a second each, the rest is instant."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from grokbench.commands.run import render_summary
from grokbench.engine import phases, runner
from grokbench.engine.batch_run import batch_key
from grokbench.engine.config import make_config
from grokbench.papers.varma23 import power_cases
from grokbench.papers.varma23.catalogue import CLAIMS
from grokbench.papers.varma23.checks import CHECKS, d_crit, split
from grokbench.papers.varma23.runsets import RUN_SETS
from grokbench.spec import ConfigError

SMOKE = {"p": 11, "frac": 0.8, "horizon": "0.15", "evals": 10, "phase2_keep": 0.25}


@pytest.mark.parametrize(
    ("overrides", "key"),
    [({"phase2_keep": 1.0}, "phase2_keep"), ({"phase2_keep": -0.1}, "phase2_keep"),
     ({"phase2_keep": 0.5, "phase2_at": 1.2}, "phase2_at"),
     ({"phase2_at": 0.5}, "phase2_at"),
     ({"phase2_keep": 0.5, "dynamics": "flow"}, "phase2_keep"),
     ({"phase2_keep": 0.5, "stop_at": 0.9}, "phase2_keep")],
)  # fmt: skip
def test_bad_phase_settings_name_their_key(overrides: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{key}:"):
        make_config("modadd-embed", "smoke", overrides)


def test_bad_phase_setting_is_one_line_and_exit_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "grokbench", "run", "modadd-embed", "--scale", "smoke",
         "--set", "phase2_keep=2"], capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "phase2_keep" in lines[0]


def test_one_phase_configs_keep_their_hash_and_batch() -> None:
    plain = make_config("modadd", "smoke")
    assert not set(phases.KEYS) & set(plain.to_dict())
    assert batch_key(plain) is not None
    assert batch_key(make_config("modadd", "smoke", {"phase2_keep": 0.5})) is None


def test_the_subset_is_seeded_nested_and_sized() -> None:
    small, large = phases.subset(100, 0.2, 3), phases.subset(100, 0.5, 3)
    assert len(small) == 20 and len(large) == 50
    assert set(small.tolist()) <= set(large.tolist())
    assert not torch.equal(small, phases.subset(100, 0.2, 4))
    with pytest.raises(ConfigError, match=r"^phase2_keep:"):
        phases.subset(3, 0.1, 0)


def test_the_recorder_puts_the_objective_on_the_subset_at_the_switch() -> None:
    config = make_config("modadd-embed", "smoke", {**SMOKE, "batch": 8, "dynamics": "adamw"})
    prepared = runner.prepare(config)
    objective = runner.objective_of(prepared)
    objective.batches = lambda: torch.arange(8)
    recorder = phases.recorder(prepared, objective, [])
    assert isinstance(recorder, phases.PhasedRecorder)
    t_switch = phases.switch_time(config, prepared.t_end)
    n = len(prepared.data.y_train)
    recorder(0.5 * t_switch, prepared.theta0)
    assert len(objective.data.y_train) == n and recorder.switched_at is None
    recorder(t_switch, prepared.theta0)
    kept = round(0.25 * n)
    assert len(objective.data.y_train) == kept and recorder.switched_at == t_switch
    assert len(objective.batches()) == 8 and int(objective.batches().max()) < kept
    assert torch.equal(objective.data.x_test, prepared.data.x_test)
    assert recorder.summary()["phase2_n_train"] == kept


def test_a_two_phase_run_records_the_switch() -> None:
    config = make_config("modadd-embed", "smoke", SMOKE)
    trace = runner.run(config)
    summary = trace.summary
    assert summary["phase2_n_train"] == round(0.25 * round(0.8 * 121))
    t_switch = phases.switch_time(config, summary["t_end"])
    assert summary["phase2_t"] == pytest.approx(t_switch, rel=1e-6, abs=config.lr)
    at_switch = [r for r in trace.records if r.t == summary["phase2_t"]]
    assert at_switch and at_switch[0].test_acc == summary["phase1_test_acc"]
    one_phase = runner.run(make_config("modadd-embed", "smoke", {**SMOKE, "phase2_keep": 0}))
    assert "phase2_t" not in one_phase.summary
    assert "phase 2 (subset)" in render_summary(trace)
    assert "phase 2" not in render_summary(one_phase)
    assert one_phase.records[-1].param_norm != trace.records[-1].param_norm


def test_the_run_sets_build_valid_configs() -> None:
    for scale in ("smoke", "ci", "paper"):
        for run_set in RUN_SETS.values():
            for overrides in run_set.grid(scale):
                settings = dict(overrides)
                make_config(str(settings.pop("experiment")), scale, settings)
    assert {c.id for c in CLAIMS} == set(CHECKS)


def test_d_crit_and_the_always_ungrok_counterfactual() -> None:
    scratch, phased = split(power_cases.dsweep() + power_cases.ungrok())
    assert d_crit(scratch, 0.9)["d_crit_frac"] == pytest.approx(0.46)
    assert len(phased) == 8
    claim = next(c for c in CLAIMS if c.id == "V1")
    always = CHECKS["V1"](claim, power_cases.dsweep() + power_cases.ungrok(always=True))
    assert always.status == "fail" and always.margin is not None and always.margin < 0
