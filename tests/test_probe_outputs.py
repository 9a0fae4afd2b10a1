"""Probes that read the test outputs get the evaluation's own, one by one and batched, and
record what they would have computed themselves."""

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
