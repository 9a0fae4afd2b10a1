"""nanda23 (+ morwani24): the Fourier measures on synthetic tables and neurons, the
embed-MLP, the probe and a smoke-scale run of the pack's run set."""

from __future__ import annotations

import math

import pytest
import torch

from grokbench.engine.config import make_config
from grokbench.engine.embed_mlp import EmbedMLP
from grokbench.engine.fourier import (
    frequency_shares,
    gini,
    n_needed,
    neuron_concentration,
    sum_directions,
)
from grokbench.engine.runner import run
from grokbench.spec import ConfigError

P = 31


def _grid() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    a = torch.arange(P, dtype=torch.float64)
    return a[:, None, None], a[None, :, None], a[None, None, :]


def _shares(table: torch.Tensor) -> torch.Tensor:
    return frequency_shares(table, *sum_directions(P))


def test_fourier_multiplication_table_is_two_frequencies() -> None:
    x, y, c = _grid()
    table = 5 * sum(torch.cos(2 * math.pi * k * (x + y - c) / P) for k in (3, 7))
    table = table + torch.randn(P, dtype=torch.float64)  # a per-class bias: no energy
    shares = _shares(torch.as_tensor(table))
    assert shares[2] == pytest.approx(0.5, abs=1e-9) and shares[6] == pytest.approx(0.5, abs=1e-9)
    assert n_needed(shares) == 2


def test_random_and_lookup_tables() -> None:
    torch.manual_seed(0)
    random = _shares(torch.randn(P, P, P, dtype=torch.float64))
    assert float(random.sum()) == pytest.approx((P - 1) / (P * P - 1), rel=0.1)
    assert n_needed(random) == P // 2 + 1  # never
    x, y, c = _grid()
    lookup = _shares(10.0 * ((x + y - c) % P == 0).to(torch.float64))
    assert float(lookup.sum()) == pytest.approx(1.0, abs=1e-9)
    assert n_needed(lookup) == 14  # every frequency equal: dense


def test_memoriser_share_is_its_train_fraction() -> None:
    x, y, c = _grid()
    mask = (torch.rand(P, P, 1, generator=torch.Generator().manual_seed(1)) < 0.8).double()
    shares = _shares(10.0 * ((x + y - c) % P == 0).double() * mask)
    assert 0.7 < float(shares.sum()) < 0.9


def test_neuron_concentration() -> None:
    a = torch.arange(P, dtype=torch.float64)
    first, second = torch.zeros(30, 2 * P, dtype=torch.float64), torch.zeros(P, 30).double()
    for i in range(30):
        wave = torch.cos(2 * math.pi * (1 + i % 15) * a / P + i)
        first[i, :P], first[i, P:], second[:, i] = wave, wave.roll(3), wave.roll(5)
    single = neuron_concentration(first, second, P)
    assert single["rho_mean"] == pytest.approx(1.0) and single["uvo_agree"] == pytest.approx(1.0)
    assert single["n_freq_used"] == 15 and single["freq_min_mass"] == pytest.approx(1.0)
    gen = torch.Generator().manual_seed(0)
    noise = neuron_concentration(
        torch.randn(30, 2 * P, generator=gen).double(),
        torch.randn(P, 30, generator=gen).double(),
        P,
    )
    assert noise["rho_mean"] < 0.4
    assert gini(torch.ones(10)) == pytest.approx(0.0) and gini(torch.eye(10)[0]) > 0.8


def test_embed_mlp_effective_weights_reproduce_the_net() -> None:
    model = EmbedMLP(7, 16, 4, bias=False, generator=torch.Generator().manual_seed(0))
    x = torch.cat([torch.eye(7).repeat_interleave(7, 0), torch.eye(7).repeat(7, 1)], 1).double()
    params = {name: p.detach() for name, p in model.named_parameters()}
    first, bias, second = EmbedMLP.effective_mlp(params)
    assert bias is None
    expected = torch.relu(x @ first.T) @ second.T
    assert torch.allclose(model(x), expected)
    with pytest.raises(ValueError):
        EmbedMLP(1, 16, 4)


def test_modadd_embed_rejects_bad_keys() -> None:
    with pytest.raises(ConfigError):
        make_config("modadd-embed", "smoke", {"nonsense": 1})


def test_smoke_run_records_the_fourier_probe() -> None:
    from grokbench.engine.fourier import modadd_fourier

    torch.set_num_threads(1)
    config = make_config("modadd-embed", "smoke", {"horizon": "0.3", "evals": 5})
    trace = run(config, probes=[modadd_fourier])
    probes = trace.records[-1].probes
    assert trace.status == "ok" and 0.0 <= probes["ab_share"] <= 1.0 + 1e-9
    assert {"n90", "rho_mean", "uvo_agree", "fourier_share_k5"} <= set(probes)
    assert "fourier_share_k6" not in probes  # p = 11: K = 5


def test_probe_reads_the_onehot_mlp_and_skips_other_tasks() -> None:
    from grokbench.engine.fourier import modadd_fourier

    torch.set_num_threads(1)
    onehot = run(make_config("modadd", "smoke", {"horizon": "0.5/wd", "evals": 3}),
                 probes=[modadd_fourier])  # fmt: skip
    assert 0.0 < onehot.records[-1].probes["rho_mean"] <= 1.0
    sparse = run(make_config("sparse-cls", "smoke", {"horizon": "0.1/wd", "evals": 3}),
                 probes=[modadd_fourier])  # fmt: skip
    assert sparse.records[-1].probes == {}


def test_paper_scale_embed_members_are_the_transformer_and_the_probe_reads_it() -> None:
    from grokbench.claims.collect import configs_of
    from grokbench.papers.nanda23.runsets import RUN_SETS

    paper = configs_of(RUN_SETS["nanda23-embed"], "paper")
    assert [c.experiment for c in paper] == ["modadd-transformer"] * 3
    assert paper[0].task["p"] == 113 and paper[0].task["d_model"] == 128
    assert {c.experiment for c in configs_of(RUN_SETS["nanda23-embed"], "ci")} == {"modadd-embed"}
    config = make_config("modadd-transformer", "smoke", {"seed": 10})
    trace = run(config, probes=list(RUN_SETS["nanda23-embed"].probes({})))
    assert 1 <= trace.records[-1].probes["n90"] <= (config.task["p"] - 1) // 2 + 1
