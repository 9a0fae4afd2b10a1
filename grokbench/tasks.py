"""Seeded data generators for the paper's experiments and their controls.

Every generator draws from a ``torch.Generator`` on the CPU in float64, so one seed gives
the same dataset on every device; ``TaskData.to`` then moves it where the run happens.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from grokbench.spec import TaskData

LABEL_MODES = ("sparse", "dense", "shuffled")


def _generator(seed: int) -> torch.Generator:
    return torch.Generator(device="cpu").manual_seed(seed)


def _random_signs(shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    return torch.randint(0, 2, shape, generator=generator).to(torch.float64) * 2 - 1


def _sign_ties_up(values: torch.Tensor) -> torch.Tensor:
    """sign(v) with sign(0) = +1, so that every label is ±1."""
    return torch.where(values >= 0, 1.0, -1.0).to(torch.float64)


def sparse_classification(
    n: int, d: int, k: int, n_test: int, seed: int, labels: str = "sparse"
) -> TaskData:
    """x ~ Unif{±1}^d, y = sign⟨w*, x⟩ with w* = ±1 on the first k coordinates (Fig. 1a).

    ``labels="dense"`` draws w* = ±1 on all d coordinates (the dense control);
    ``labels="shuffled"`` permutes the training labels (the shuffled control; test labels
    keep the sparse rule, so nothing learnable links train and test).
    """
    if labels not in LABEL_MODES:
        raise ValueError(f"labels must be one of {LABEL_MODES}, got {labels!r}")
    generator = _generator(seed)
    support = d if labels == "dense" else k
    w_star = torch.zeros(d, dtype=torch.float64)
    w_star[:support] = _random_signs((support,), generator)
    x_train = _random_signs((n, d), generator)
    x_test = _random_signs((n_test, d), generator)
    y_train = _sign_ties_up(x_train @ w_star)
    y_test = _sign_ties_up(x_test @ w_star)
    if labels == "shuffled":
        y_train = y_train[torch.randperm(n, generator=generator)]
    return TaskData("binary", x_train, y_train, x_test, y_test, truth={"w_star": w_star})


def misgrok_classification(n: int, d: int, gamma: float, n_test: int, seed: int) -> TaskData:
    """z ~ N(0, I_d), w* a random unit vector, y = sign⟨z, w*⟩, x = z + (γ/2)·y·w* (Fig. 1b).

    The data has a large L2 margin γ along w*, which the kernel (L2) predictor finds and
    the late-phase L1 predictor loses.
    """
    generator = _generator(seed)
    w_star = torch.randn(d, generator=generator, dtype=torch.float64)
    w_star /= w_star.norm()

    def draw(count: int) -> tuple[torch.Tensor, torch.Tensor]:
        z = torch.randn(count, d, generator=generator, dtype=torch.float64)
        y = _sign_ties_up(z @ w_star)
        return z + (gamma / 2) * y[:, None] * w_star, y

    x_train, y_train = draw(n)
    x_test, y_test = draw(n_test)
    return TaskData("binary", x_train, y_train, x_test, y_test, truth={"w_star": w_star})


def matrix_completion(d: int, n: int, seed: int) -> TaskData:
    """X* = uuᵀ with u_i = i/d (i = 0..d−1); n distinct ordered entries observed (Fig. 3).

    Inputs are index pairs (i, j). The test set is every entry outside Ω ∪ Ωᵀ: the model is
    symmetric, so observing (i, j) also determines (j, i).
    """
    generator = _generator(seed)
    u = torch.arange(d, dtype=torch.float64) / d
    x_star = torch.outer(u, u)
    flat = torch.randperm(d * d, generator=generator)[:n]
    rows, cols = flat // d, flat % d
    observed = torch.zeros(d, d, dtype=torch.bool)
    observed[rows, cols] = True
    observed |= observed.T.clone()
    test_rows, test_cols = torch.nonzero(~observed, as_tuple=True)
    x_train = torch.stack([rows, cols], dim=1)
    x_test = torch.stack([test_rows, test_cols], dim=1)
    return TaskData(
        "regression",
        x_train,
        x_star[rows, cols],
        x_test,
        x_star[test_rows, test_cols],
        truth={"x_star": x_star, "observed": observed},
    )


def modular_addition(p: int, frac: float, seed: int) -> TaskData:
    """(a + b) mod p from x = one-hot(a) ⊕ one-hot(b) ∈ R^{2p}; a random ``frac`` of the
    p² pairs is the training set, the rest the test set (Fig. 2)."""
    generator = _generator(seed)
    a, b = torch.meshgrid(torch.arange(p), torch.arange(p), indexing="ij")
    a, b = a.reshape(-1), b.reshape(-1)
    x = torch.cat([F.one_hot(a, p), F.one_hot(b, p)], dim=1).to(torch.float64)
    y = (a + b) % p
    order = torch.randperm(p * p, generator=generator)
    n_train = round(frac * p * p)
    train, test = order[:n_train], order[n_train:]
    return TaskData("multiclass", x[train], y[train], x[test], y[test], n_outputs=p)
