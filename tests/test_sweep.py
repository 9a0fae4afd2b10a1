"""Batched runs give the traces one-by-one runs give (float64, to 1e-10 of each field's
scale; accuracies to one point of their set)."""

import math
import warnings

import pytest

from grokbench.engine.batch_run import SequentialFallback, plan, run_batch
from grokbench.engine.batched import StackedDiagonal
from grokbench.engine.config import make_config
from grokbench.engine.runner import run

RTOL = 1e-10


pytestmark = pytest.mark.usefixtures("one_thread")


def _accuracy_step(trace, key: str) -> float:
    """How far batched and one-by-one accuracies may differ: one point of the set they are
    measured on (1/n), or 1% of it for a diverged run (eng.): its last finite records sit
    at ‖θ‖ ~ 10⁴, where an output within the products' last bits of 0 (an exact tie counts
    half right) can take either sign; with torch 2.2 the diverging member below differs in
    2 of 400 test points at t = 50 while every float field agrees to 1e-12."""
    sizes = trace.config["task"]
    size = sizes["n_test" if key.startswith("test") else "n"]
    return max(1.0, 0.01 * size if trace.status == "diverged" else 0.0) / size


def _fields(record) -> dict:
    """A record's fields with its probes flattened beside them."""
    data = record.to_dict()
    data.update({f"probe:{k}": v for k, v in data.pop("probes", {}).items()})
    return data


def assert_same_trace(batched, alone):
    """Every record field and summary number agrees to 1e-10 of the field's own scale
    (wall times aside), accuracies to one point of their set: batching changes the shapes
    of the matrix products, so the last bits may differ, on some CPUs more than on others,
    and a diverging member amplifies them until an output near zero flips its sign. A
    diverged run keeps no record past its last finite one, so all records compare."""
    assert batched.status == alone.status
    assert batched.config == alone.config
    assert len(batched.records) == len(alone.records)
    # where it diverged, not the rounded loss and norm the reason quotes after it
    assert (batched.reason or "").split(" (")[0] == (alone.reason or "").split(" (")[0]
    mine_all, theirs_all = batched.records, alone.records
    keys = _fields(mine_all[0]).keys() - {"wall_s"} if mine_all else set()
    scale = {
        key: max(
            (abs(v) for r in theirs_all if isinstance(v := _fields(r)[key], float)), default=0.0
        )
        for key in keys
    }
    for mine, theirs in zip(mine_all, theirs_all, strict=True):
        a, b = _fields(mine), _fields(theirs)
        assert a.keys() == b.keys()
        for key in keys:
            if key.endswith("_acc"):
                assert abs(a[key] - b[key]) <= _accuracy_step(alone, key) + 1e-12, (key, mine.t)
            elif isinstance(b[key], float):
                assert a[key] == pytest.approx(b[key], rel=RTOL, abs=RTOL * scale[key]), (
                    key,
                    mine.t,
                )
            else:
                assert a[key] == b[key], (key, mine.t)
    assert batched.summary.keys() == alone.summary.keys()
    metric = alone.summary.get("metric") or ""
    for key in batched.summary.keys() - {"wall_s"}:
        value, expected = batched.summary[key], alone.summary[key]
        if key in {"plateau", "final"} and metric.endswith("_acc") and expected is not None:
            assert abs(value - expected) <= _accuracy_step(alone, metric) + 1e-12, key
        elif isinstance(expected, float) and not math.isnan(expected):
            assert value == pytest.approx(expected, rel=RTOL, abs=0), key
        elif not isinstance(expected, float):
            assert value == expected, key


def members(experiment, overrides):
    """Configs that differ in α, λ and seed (and so in data, horizon and evaluation times)."""
    return [make_config(experiment, "smoke", o) for o in overrides]


def check(configs):
    batched = run_batch(configs)
    assert len(batched) == len(configs)
    for config, trace in zip(configs, batched, strict=True):
        assert_same_trace(trace, run(config))
    return batched


def test_flow_dopri5_batch_equals_one_by_one():
    configs = members(
        "sparse-cls",
        [
            {"init_norm": "16", "seed": "0"},
            {"init_norm": "64", "seed": "1"},
            {"init_norm": "32", "seed": "0", "wd": "0.08"},
            {"init_norm": "32", "seed": "2", "wd": "0.03"},
        ],
    )
    traces = check(configs)
    assert len({t.summary["grad_evals"] for t in traces}) > 1  # members stepped differently
    assert all(t.summary["t_grok"] is not None for t in traces)


def test_members_sharing_data_skip_finished_rows(monkeypatch):
    """Members of one seed share their dataset; once one reaches its horizon the gradient
    passes take only the running members' rows, and each trace is still its one-by-one
    run's."""
    widths: list[int] = []
    backward = StackedDiagonal.backward

    def counting(self, theta, x, grad_out):
        widths.append(theta.shape[0])
        return backward(self, theta, x, grad_out)

    monkeypatch.setattr(StackedDiagonal, "backward", counting)
    configs = members(
        "sparse-cls",
        [
            {"init_norm": "16", "seed": "0"},
            {"init_norm": "64", "seed": "0", "wd": "0.08"},
            {"init_norm": "32", "seed": "0", "wd": "0.03", "horizon": "12/wd"},  # last alone
        ],
    )
    batched = run_batch(configs)
    assert widths[0] == 3 and min(widths) == 1  # all three at first, at the end one
    for config, trace in zip(configs, batched, strict=True):
        assert_same_trace(trace, run(config))


def test_flow_rkc_batch_equals_one_by_one():
    configs = members(
        "matrix-completion",
        [
            {"alpha": "10", "seed": "0", "horizon": "4/wd"},
            {"alpha": "20", "seed": "1", "horizon": "4/wd"},
            {"alpha": "10", "seed": "1", "wd": "0.02", "horizon": "3/wd"},
        ],
    )
    assert {t.config["integrator"] for t in check(configs)} == {"auto"}


def test_gd_batch_equals_one_by_one_with_own_step_sizes_and_horizons():
    base = {"dynamics": "gd", "horizon": "1/wd"}
    configs = members(
        "sparse-cls",
        [
            {**base, "init_norm": "16", "seed": "0", "lr": "0.05"},
            {**base, "init_norm": "64", "seed": "1", "lr": "0.1"},
            {**base, "init_norm": "32", "seed": "0", "wd": "0.1", "lr": "0.05"},
        ],
    )
    traces = check(configs)
    assert [t.summary["grad_evals"] for t in traces] == [2 + 400, 2 + 200, 2 + 200]


def test_each_member_stops_on_its_own():
    """Different horizons end members at different times, and a diverging member stops
    alone, recorded as one-by-one runs record it."""
    configs = members(
        "sparse-cls",
        [
            {"dynamics": "gd", "horizon": "1/wd", "lr": "0.05"},
            {"dynamics": "gd", "horizon": "6/wd", "lr": "50", "seed": "1"},
            {"dynamics": "gd", "horizon": "0.5/wd", "lr": "0.05", "seed": "2"},
        ],
    )
    traces = check(configs)
    assert [t.status for t in traces] == ["ok", "diverged", "ok"]
    assert traces[0].records[-1].t == pytest.approx(20.0)
    assert traces[2].records[-1].t == pytest.approx(10.0)


def test_what_cannot_be_batched_runs_one_by_one_and_says_so():
    configs = members(
        "sparse-cls",
        [
            {"dynamics": "adam", "lr": "0.05", "horizon": "2"},
            {"horizon": "0.2/wd"},
            {"horizon": "0.2/wd", "seed": "1"},
            {"horizon": "0.2/wd", "n": "40"},
        ],
    )
    assert plan(configs) == [[0], [1, 2], [3]]
    with pytest.warns(SequentialFallback, match="adam"):
        traces = run_batch(configs)
    for config, trace in zip(configs, traces, strict=True):
        assert_same_trace(trace, run(config))
    with warnings.catch_warnings():
        warnings.simplefilter("error", SequentialFallback)  # warn=False: none raised
        assert run_batch(configs[2:], warn=False)[0].status == "ok"
