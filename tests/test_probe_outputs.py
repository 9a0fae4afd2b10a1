"""Probes that read the test outputs get the evaluation's own, one by one and batched, and
record what they would have computed themselves."""

import math

import pytest
import torch

from grokbench.engine import batch_run, runner
from grokbench.engine.config import make_config
from grokbench.spec import READS_TEST_OUTPUTS, Prepared


def _spy(calls: list[str]):  # a probe factory recording how it was called
    def factory(prepared: Prepared):
        def probe(theta: torch.Tensor, test_outputs: torch.Tensor | None = None) -> dict:
            own = prepared.flat.function(theta, prepared.data.x_test)
            calls.append("outputs" if test_outputs is not None else "theta")
            given = own if test_outputs is None else test_outputs
            return {"gap": float((given - own).abs().max()), "mean": float(own.mean())}

        setattr(probe, READS_TEST_OUTPUTS, True)
        return probe

    return factory


@pytest.mark.parametrize("experiment", ["sparse-cls", "modadd"])
def test_recorder_passes_the_evaluated_test_outputs(experiment: str) -> None:
    configs = [make_config(experiment, "smoke", {"seed": s}) for s in (0, 1)]
    calls: list[str] = []
    alone = runner.run(configs[0], probes=[_spy(calls)])
    batched = batch_run.run_batch(configs, probes=[_spy(calls)], warn=False)
    assert calls and set(calls) == {"outputs"}
    for trace in (alone, *batched):
        assert trace.records
        for record in trace.records:
            assert record.probes["gap"] <= 1e-12 * (1 + abs(record.probes["mean"]))


def test_an_unmarked_probe_is_called_with_theta_only() -> None:
    config = make_config("sparse-cls", "smoke", {"seed": 0})
    seen: list[int] = []

    def factory(prepared: Prepared):
        return lambda theta: seen.append(theta.numel()) or {"n": float(theta.numel())}

    trace = runner.run(config, probes=[factory])
    assert len(seen) == len(trace.records) > 0


def test_claims_collection_passes_them_through_its_combined_probe() -> None:
    from grokbench.claims.collect import compute_traces
    from grokbench.spec import RunSet

    calls: list[str] = []
    run_set = RunSet("spy", "sparse-cls", lambda s: [{"seed": 0}], probes=lambda _: [_spy(calls)])
    configs = [make_config("sparse-cls", "smoke", {"seed": s}) for s in (0, 1)]
    traces = compute_traces(run_set, configs, lambda line: None, [{}, {}])
    assert calls and set(calls) == {"outputs"}
    assert all(r.probes["gap"] <= 1e-12 * (1 + abs(r.probes["mean"])) for r in traces[0].records)


_SPLIT_NUMBERS = ("test_loss", "test_acc", "test_mse", "train_loss", "train_acc", "train_mse")


@pytest.mark.parametrize("experiment", ["sparse-cls", "misgrok", "modadd"])
def test_deferred_test_evaluation_records_what_immediate_evaluation_does(
    experiment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large test sets are evaluated several states at a time (runner.deferred_test_states):
    the records, the probes reading test outputs and those that do not are the same."""
    from grokbench.engine.probes import baseline_agreement

    config = make_config(experiment, "smoke", {"seed": 0, "evals": 20})
    prepared = runner.prepare(config)
    labels = torch.zeros(len(prepared.data.y_test), dtype=prepared.data.y_test.dtype)
    probes = [baseline_agreement({"zero": labels.numpy()}), _spy([])]
    immediate = runner.run(config, probes=probes)
    monkeypatch.setattr(runner, "DEFERRED_MIN_NUMBERS", 0)
    monkeypatch.setattr(runner, "DEFERRED_STATES", 3)  # 20 records: a partial last chunk
    assert runner.deferred_test_states(prepared) == 3
    from grokbench.engine.objective import Objective

    chunks: list[int] = []
    evaluate_states = Objective.evaluate_states

    def counted(self: Objective, thetas: torch.Tensor, train: bool = False):  # type: ignore[no-untyped-def]
        chunks.append(len(thetas))
        return evaluate_states(self, thetas, train)

    monkeypatch.setattr(Objective, "evaluate_states", counted)
    deferred = runner.run(config, probes=probes)
    assert len(immediate.records) == len(deferred.records) > 3
    assert sum(chunks) == len(deferred.records) and max(chunks) == 3
    for a, b in zip(immediate.records, deferred.records, strict=True):
        for name in (*_SPLIT_NUMBERS, "train_margin", "param_norm", "t", "grad_evals"):
            x, y = getattr(a, name), getattr(b, name)
            assert (x is None and y is None) or abs(x - y) <= 1e-12 * (1 + abs(x)), name
        assert a.probes.keys() == b.probes.keys()
        for key, value in a.probes.items():
            assert abs(value - b.probes[key]) <= 1e-12 * (1 + abs(value)), key


@pytest.mark.parametrize("lr", [50.0, 1000.0])
def test_a_deferred_run_diverges_where_an_immediate_one_does(
    lr: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deferred records learn their train loss at ``flush``: a run that blows up there keeps
    the records before the first bad one and says the same as a run that checked at once
    (lr 1000: the first record after θ(0) blows up; lr 50: the seventh, two chunks in)."""
    config = make_config(
        "sparse-cls", "smoke", {"dynamics": "gd", "lr": lr, "evals": 40, "horizon": "2000"}
    )
    immediate = runner.run(config)
    monkeypatch.setattr(runner, "DEFERRED_MIN_NUMBERS", 0)
    monkeypatch.setattr(runner, "DEFERRED_STATES", 3)
    deferred = runner.run(config)
    assert immediate.status == deferred.status == "diverged"
    assert deferred.reason == immediate.reason
    assert [r.t for r in deferred.records] == [r.t for r in immediate.records]
    assert [r.train_loss for r in deferred.records] == pytest.approx(
        [r.train_loss for r in immediate.records], rel=1e-12
    )


def test_a_deferred_batch_stops_only_its_diverged_members(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a batch (grokbench.engine.batch_run), deferred train losses diverge the members
    an immediate check diverges, at the same record, and the others run to the end."""
    configs = [
        make_config(
            "sparse-cls", "smoke", {"dynamics": "gd", "lr": lr, "evals": 40, "horizon": "2000"}
        )
        for lr in (50.0, 1000.0, 1.0)
    ]
    immediate = batch_run.run_batch(configs, warn=False)
    monkeypatch.setattr(runner, "DEFERRED_MIN_NUMBERS", 0)
    monkeypatch.setattr(runner, "DEFERRED_STATES", 3)
    deferred = batch_run.run_batch(configs, warn=False)
    assert [t.status for t in deferred] == [t.status for t in immediate]
    assert [t.status for t in immediate] == ["diverged", "diverged", "ok"]
    for a, b in zip(immediate, deferred, strict=True):
        assert a.reason == b.reason
        assert [r.t for r in a.records] == [r.t for r in b.records]
        assert [r.train_loss for r in b.records] == pytest.approx(
            [r.train_loss for r in a.records], rel=1e-12
        )


def test_a_deferred_record_with_a_non_finite_state_stops_the_run_at_once() -> None:
    """Its train loss waits for the flush, but a non-finite ‖θ‖ is seen when it is taken."""
    from grokbench.engine.recorder import Recorder

    prepared = runner.prepare(make_config("sparse-cls", "smoke", {"seed": 0}))
    recorder = Recorder(runner.objective_of(prepared))
    recorder.defer_test = 3
    assert recorder(0.0, prepared.theta0)
    assert not recorder(1.0, torch.full_like(prepared.theta0, math.nan))
    assert recorder.diverged_at == 1.0 and "not evaluated yet" in recorder.reason
    assert recorder.flush() is False and len(recorder.records) == 1
    assert math.isfinite(recorder.records[0].train_loss)


def test_no_deferral_where_a_record_needs_its_test_accuracy_at_once() -> None:
    from types import SimpleNamespace

    big = SimpleNamespace(x_test=torch.empty(10_000, 2_000))  # 2·10⁷ numbers, no data drawn

    def states(overrides: dict) -> int:
        config = make_config("misgrok", "ci", overrides)
        return runner.deferred_test_states(SimpleNamespace(config=config, data=big))

    assert states({}) == runner.DEFERRED_STATES
    assert states({"stop_at": 0.9, "dynamics": "gd"}) == 0
    assert states({"phase2_keep": 0.5, "dynamics": "gd"}) == 0
    small = SimpleNamespace(
        config=make_config("misgrok", "ci"), data=SimpleNamespace(x_test=torch.empty(10, 10))
    )
    assert runner.deferred_test_states(small) == 0


@pytest.mark.parametrize("experiment", ["sparse-cls", "matrix-completion"])
def test_deferred_test_evaluation_in_a_batch_records_what_immediate_evaluation_does(
    experiment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grokbench.engine.batched import BatchedObjective

    configs = [make_config(experiment, "smoke", {"seed": s, "evals": 20}) for s in (0, 1)]
    configs.append(make_config(experiment, "smoke", {"seed": 0, "evals": 20, "alpha": 3.0}))
    immediate = batch_run.run_batch(configs, probes=[_spy([])], warn=False)
    monkeypatch.setattr(runner, "DEFERRED_MIN_NUMBERS", 0)
    monkeypatch.setattr(runner, "DEFERRED_STATES", 3)
    splits: list[tuple[str, ...]] = []
    evaluate = BatchedObjective.evaluate

    def counted(self, members, states, *args, **kwargs):  # type: ignore[no-untyped-def]
        splits.append(tuple(kwargs.get("splits", args[0] if args else ("train", "test"))))
        return evaluate(self, members, states, *args, **kwargs)

    monkeypatch.setattr(BatchedObjective, "evaluate", counted)
    deferred = batch_run.run_batch(configs, probes=[_spy([])], warn=False)
    assert set(splits) == {(), ("train", "test")}  # a record's norm at once, the rest later
    for a_trace, b_trace in zip(immediate, deferred, strict=True):
        assert len(a_trace.records) == len(b_trace.records) > 3
        for a, b in zip(a_trace.records, b_trace.records, strict=True):
            for name in (*_SPLIT_NUMBERS, "train_margin", "param_norm", "t", "grad_evals"):
                x, y = getattr(a, name), getattr(b, name)
                assert (x is None and y is None) or abs(x - y) <= 1e-12 * (1 + abs(x)), name
            assert a.probes.keys() == b.probes.keys()
            assert all(abs(v - b.probes[k]) <= 1e-12 * (1 + abs(v)) for k, v in a.probes.items())
