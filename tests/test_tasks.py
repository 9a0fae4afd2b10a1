"""Seeded generators: same seed, same data; the labels follow the stated rules."""

import pytest
import torch

from grokbench.engine import tasks


def test_sparse_classification_is_seeded_and_follows_the_sparse_rule():
    a = tasks.sparse_classification(20, 50, 3, 30, seed=4)
    b = tasks.sparse_classification(20, 50, 3, 30, seed=4)
    c = tasks.sparse_classification(20, 50, 3, 30, seed=5)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_test, b.y_test)
    assert not torch.equal(a.x_train, c.x_train)
    w = a.truth["w_star"]
    assert torch.count_nonzero(w) == 3 and torch.all(w[:3].abs() == 1)
    assert torch.equal(a.y_train, torch.sign(a.x_train @ w))
    assert set(a.x_train.unique().tolist()) == {-1.0, 1.0}


def test_controls_dense_and_shuffled_labels():
    dense = tasks.sparse_classification(20, 51, 3, 30, seed=0, labels="dense")
    assert torch.count_nonzero(dense.truth["w_star"]) == 51
    sparse = tasks.sparse_classification(200, 50, 3, 30, seed=0)
    shuffled = tasks.sparse_classification(200, 50, 3, 30, seed=0, labels="shuffled")
    assert torch.equal(sparse.x_train, shuffled.x_train)
    assert sorted(sparse.y_train.tolist()) == sorted(shuffled.y_train.tolist())
    assert not torch.equal(sparse.y_train, shuffled.y_train)
    assert torch.equal(sparse.y_test, shuffled.y_test)


def test_misgrok_data_has_margin_gamma_along_w_star():
    data = tasks.misgrok_classification(16, 40, gamma=25.0, n_test=10, seed=0)
    w = data.truth["w_star"]
    assert abs(float(w.norm()) - 1) < 1e-12
    assert float((data.y_train * (data.x_train @ w)).min()) >= 12.5


def test_matrix_completion_test_set_is_every_ordered_entry_outside_omega():
    """The authors' split (data.py, gen_matrix_for_completion): train = the first n of one
    permutation of the d² ordered entries, test = the rest, transposes of Ω included."""
    d, n = 10, 20
    data = tasks.matrix_completion(d, n, seed=0)
    omega, omega_sym = data.truth["omega"], data.truth["omega_sym"]
    assert len(data.x_train) == n and int(omega.sum()) == n
    assert torch.equal(omega_sym, omega | omega.T) and torch.equal(omega_sym, omega_sym.T)
    assert omega[data.x_train[:, 0], data.x_train[:, 1]].all()
    assert not omega[data.x_test[:, 0], data.x_test[:, 1]].any()
    assert len(data.x_test) == d * d - n  # every other ordered entry, each once
    flat = data.x_test[:, 0] * d + data.x_test[:, 1]
    assert len(flat.unique()) == len(flat)
    # some transposes of observed entries are test entries (not so under Ω ∪ Ωᵀ)
    assert omega_sym[data.x_test[:, 0], data.x_test[:, 1]].any()
    x_star = data.truth["x_star"]
    torch.testing.assert_close(data.y_train, x_star[data.x_train[:, 0], data.x_train[:, 1]])
    torch.testing.assert_close(data.y_test, x_star[data.x_test[:, 0], data.x_test[:, 1]])
    perm = torch.randperm(d * d, generator=torch.Generator().manual_seed(0))
    assert torch.equal(data.x_train[:, 0] * d + data.x_train[:, 1], perm[:n])
    assert torch.equal(flat, perm[n:])


def test_matrix_completion_symmetric_test_set_option():
    default = tasks.matrix_completion(10, 20, seed=0)
    sym = tasks.matrix_completion(10, 20, seed=0, test_set="outside-omega-sym")
    assert torch.equal(default.x_train, sym.x_train)
    assert torch.equal(default.truth["omega_sym"], sym.truth["omega_sym"])
    omega_sym = sym.truth["omega_sym"]
    assert not omega_sym[sym.x_test[:, 0], sym.x_test[:, 1]].any()
    assert len(sym.x_test) == 100 - int(omega_sym.sum())
    with pytest.raises(ValueError, match="test_set"):
        tasks.matrix_completion(10, 20, seed=0, test_set="symmetric")


def test_matrix_completion_test_set_is_a_task_key():
    from grokbench.engine.config import make_config
    from grokbench.engine.experiments import get_experiment
    from grokbench.spec import ConfigError

    experiment = get_experiment("matrix-completion")
    for scale in ("smoke", "ci", "paper"):
        assert experiment.scales[scale]["test_set"] == "outside-omega"
    config = make_config("matrix-completion", "smoke", {"test_set": "outside-omega-sym"})
    data = experiment.build_task(config.task, 0)
    assert not data.truth["omega_sym"][data.x_test[:, 0], data.x_test[:, 1]].any()
    with pytest.raises(ConfigError, match="test_set"):
        experiment.build_task({**config.task, "test_set": "nope"}, 0)


def test_misgrok_shift_keeps_the_plain_draws(monkeypatch):
    """The memory-lean generator draws what the plain expressions draw (the shift in
    blocks of 7 rows here, a partial last one included), but for the last bit of some
    normals (``grokbench.engine.draws``)."""
    monkeypatch.setattr(tasks, "SHIFT_BLOCK_BYTES", 7 * 30 * 8)
    data = tasks.misgrok_classification(2100, 30, gamma=25.0, n_test=5, seed=1)
    generator = torch.Generator().manual_seed(1)
    w = torch.randn(30, generator=generator, dtype=torch.float64)
    w /= w.norm()
    z = torch.randn(2100, 30, generator=generator, dtype=torch.float64)
    y = torch.where(z @ w >= 0, 1.0, -1.0).to(torch.float64)
    assert torch.equal(data.y_train, y)
    torch.testing.assert_close(data.x_train, z + (25.0 / 2) * y[:, None] * w, rtol=0, atol=1e-14)


def test_modular_addition_split_and_labels():
    data = tasks.modular_addition(7, 0.4, seed=0)
    assert len(data.x_train) == round(0.4 * 49) and len(data.x_test) == 49 - len(data.x_train)
    a = data.x_train[:, :7].argmax(1)
    b = data.x_train[:, 7:].argmax(1)
    assert torch.equal(data.y_train, (a + b) % 7)
    assert data.n_outputs == 7


def test_paper_controls_run_on_the_sweeps_test_sets():
    """X1's controls at paper scale use the sweeps' 1000-point test sets (what its
    tolerances assume); the main runs keep the paper's 10⁴ points, and below paper scale
    the controls keep the scale's own size."""
    from grokbench.claims.collect import configs_of
    from grokbench.papers.lyu24.runsets import PAPER_SWEEP, RUN_SETS

    controls = configs_of(RUN_SETS["controls"], "paper")
    assert {c.experiment for c in controls} == {"control-dense", "control-shuffled"}
    assert {c.task["n_test"] for c in controls} == {PAPER_SWEEP["n_test"]}
    assert {c.task["n_test"] for c in configs_of(RUN_SETS["sparse-main"], "paper")} == {10_000}
    main_ci = {c.task["n_test"] for c in configs_of(RUN_SETS["sparse-main"], "ci")}
    assert {c.task["n_test"] for c in configs_of(RUN_SETS["controls"], "ci")} == main_ci
