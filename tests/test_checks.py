"""Claim checks on synthetic evidence whose verdict is known, including planted errors."""

import dataclasses
import math

import numpy as np
import pytest

from grokbench.claims.evaluate import check
from grokbench.claims.registry import catalogue
from grokbench.engine.config import make_config
from grokbench.papers.lyu24.catalogue import BY_ID
from grokbench.spec import BaselineResult, Member, Record, Trace

WD = 0.01


def _member(alpha=10.0, t_grok=400.0, plateau=0.55, final=1.0, seed=0, status="ok",
            norm0=100.0, late=3.0, horizon=900.0, probes=None, baselines=None):  # fmt: skip
    """A run whose test accuracy is a logistic step at t_grok and whose norm decays like
    norm0·e^{−λt} down to the late norm."""
    times = np.linspace(0, horizon, 901)
    test = plateau + (final - plateau) / (1 + np.exp(-(times - t_grok) / 10.0))
    records = []
    for i, (t, acc) in enumerate(zip(times, test, strict=True)):
        norm = max(norm0 * math.exp(-WD * t), late)
        extra = {name: value(t) for name, value in (probes or {}).items()}
        records.append(Record(t=float(t), step=i, grad_evals=i, wall_s=0.0, train_loss=1e-4,
                              test_loss=0.1, param_norm=norm, train_acc=1.0, test_acc=float(acc),
                              train_margin=1.0, probes=extra))  # fmt: skip
    config = make_config("sparse-cls", "smoke", {"alpha": alpha, "wd": WD, "seed": seed})
    trace = Trace(config=config.to_dict(), env={}, records=records, status=status,
                  reason="diverged at t=5" if status != "ok" else "")  # fmt: skip
    trace.summary = {"alpha": alpha}
    return Member(config, trace, baselines or {})


def _baseline(name, value):
    return BaselineResult(name=name, metric="acc", test_value=value, fit_s=0.0)


def _verdict(claim_id, members, **limits):
    claim = BY_ID[claim_id]
    if limits:
        claim = dataclasses.replace(claim, limits={**claim.limits, **limits})
    return check(claim, members, "ci")


def test_every_catalogue_claim_has_a_check():
    lyu24 = {claim_id for claim_id in catalogue().checks if claim_id.startswith("lyu24/")}
    assert {f"lyu24/{claim_id}" for claim_id in BY_ID} == lyu24


def test_r2_passes_and_a_planted_expectation_fails():
    members = [_member(seed=s, baselines={"l2_max_margin": _baseline("l2_max_margin", 0.56)})
               for s in range(3)]  # fmt: skip
    assert _verdict("R2", members).status == "pass"
    planted = _verdict("R2", members, final_min=1.01)
    assert planted.status == "fail" and "final accuracy" in planted.reason
    far = [_member(baselines={"l2_max_margin": _baseline("l2_max_margin", 0.70)})]
    assert _verdict("R2", far).status == "fail"


def test_t1_and_t3_read_the_slope_of_the_alpha_sweep():
    sweep = [_member(alpha=a, t_grok=(math.log(a) + 1.0) / WD, horizon=(math.log(a) + 5) / WD)
             for a in (10.0, 100.0, 1000.0, 10000.0)]  # fmt: skip
    t1 = _verdict("T1", sweep)
    assert t1.status == "pass" and t1.measured["slope"] == pytest.approx(1.0, abs=0.01)
    assert _verdict("T1", sweep, slope=2.0).status == "fail"
    t3 = _verdict("T3", sweep)
    assert t3.status == "pass" and all(abs(v - 1) < 0.02 for v in t3.measured.values())
    slow = [_member(alpha=a, t_grok=1.5 * math.log(a) / WD, horizon=2 * math.log(a) / WD + 200)
            for a in (10.0, 100.0, 1000.0, 10000.0)]  # fmt: skip
    assert _verdict("T1", slow).status == "fail"


def test_k1_measures_the_norm_decay_and_the_direction():
    member = _member(probes={"cos_ref": lambda t: 1.0})
    assert _verdict("K1", [member]).status == "pass"
    bent = _member(probes={"cos_ref": lambda t: 0.9})
    assert _verdict("K1", [bent]).status == "fail"


def test_bad_evidence_is_inconclusive_never_pass():
    baselines = {"l2_max_margin": _baseline("l2_max_margin", 0.5)}
    diverged = _verdict("R2", [_member(status="diverged", baselines=baselines)])
    assert diverged.status == "inconclusive" and "diverged" in diverged.reason
    flat = _member(final=0.55, plateau=0.55)
    assert _verdict("T2", [flat]).status == "inconclusive"
    missing = _verdict("N1", [])  # a run set that did not finish
    assert missing.status == "inconclusive" and "did not finish" in missing.reason
