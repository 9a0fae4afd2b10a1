"""The late KKT probe gives kkt_probe's residuals from the last one ≥ its limit onwards."""

import numpy as np
import pytest

from grokbench.engine import late_kkt
from grokbench.engine import probes as P
from grokbench.engine.config import make_config
from grokbench.engine.late_kkt import LateKKT, finish_probes, late_kkt_probe
from grokbench.engine.runner import run
from grokbench.spec import Prepared

LIMIT = 0.3  # the smoke run ends at r ≈ 0.21 (R7 reads 0.05 at ci and paper scale)


@pytest.mark.parametrize("block", [7, late_kkt.ACTIVE_BLOCK])
def test_late_kkt_matches_the_eager_probe_where_read(monkeypatch, block: int) -> None:
    """Where R7 reads it, and kkt_active at every record (counted ``block`` states at a
    time, a partial last block included)."""
    monkeypatch.setattr(late_kkt, "ACTIVE_BLOCK", block)
    config = make_config("sparse-cls", "smoke", {"alpha": 10.0, "horizon": "12/wd"})
    built: list[LateKKT] = []

    def late(prepared: Prepared) -> LateKKT:
        probe = late_kkt_probe(LIMIT)(prepared)
        assert isinstance(probe, LateKKT)
        built.append(probe)
        return probe

    def eager(prepared: Prepared) -> P.Probe:
        inner = P.kkt_probe()(prepared)
        return lambda theta: {f"eager_{k}": v for k, v in inner(theta).items()}

    trace = run(config, probes=[eager, late])
    assert len(trace.records) % block and np.isnan(trace.records[0].probes["kkt_active"])
    finish_probes(built, trace.records)
    full = np.array([r.probes["eager_kkt_residual"] for r in trace.records])
    late_r = np.array([r.probes["kkt_residual"] for r in trace.records])
    active = [r.probes["kkt_active"] == r.probes["eager_kkt_active"] for r in trace.records]
    assert all(active)
    last_above = int(np.flatnonzero(~(full < LIMIT))[-1])
    assert 0 < last_above < len(full) - 5  # the run settles, and not at its first record
    assert np.all(np.isnan(late_r[:last_above]))
    assert np.allclose(late_r[last_above:], full[last_above:], rtol=1e-8, atol=1e-12)
    assert int(np.flatnonzero(~(late_r < LIMIT))[-1]) == last_above  # R7's reading
    assert not built[0].states  # released after finish


def test_finish_without_states_is_a_mismatch() -> None:
    probe = LateKKT.__new__(LateKKT)
    probe.states, probe.outputs, probe.active, probe._waiting = [], [], [], []
    probe.until = 0.05
    try:
        probe.finish([object()])  # type: ignore[list-item]
    except RuntimeError as error:
        assert "states" in str(error)
    else:
        raise AssertionError("expected a RuntimeError")
