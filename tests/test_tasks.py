"""Seeded generators: same seed, same data; the labels follow the stated rules."""

import torch

from grokbench import tasks


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


def test_matrix_completion_test_set_is_outside_observed_and_transpose():
    data = tasks.matrix_completion(10, 20, seed=0)
    observed = data.truth["observed"]
    assert torch.equal(observed, observed.T)
    assert not observed[data.x_test[:, 0], data.x_test[:, 1]].any()
    assert len(data.x_train) == 20
    x_star = data.truth["x_star"]
    torch.testing.assert_close(data.y_train, x_star[data.x_train[:, 0], data.x_train[:, 1]])
    assert len(data.x_test) == 100 - int(observed.sum())


def test_modular_addition_split_and_labels():
    data = tasks.modular_addition(7, 0.4, seed=0)
    assert len(data.x_train) == round(0.4 * 49) and len(data.x_test) == 49 - len(data.x_train)
    a = data.x_train[:, :7].argmax(1)
    b = data.x_train[:, 7:].argmax(1)
    assert torch.equal(data.y_train, (a + b) % 7)
    assert data.n_outputs == 7
