"""Seeded data generators for the paper's experiments and their controls.

Every generator draws from a ``torch.Generator`` on the CPU in float64, so one seed gives
the same dataset on every device; ``TaskData.to`` then moves it where the run happens.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from grokbench.engine import draws
from grokbench.spec import TaskData

LABEL_MODES = ("sparse", "dense", "shuffled")
#: The largest row block of misgrok's in-place shift (``misgrok_classification``).
SHIFT_BLOCK_BYTES = 8 << 20


def _generator(seed: int) -> torch.Generator:
    return torch.Generator(device="cpu").manual_seed(seed)


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
    w_star[:support] = draws.signs((support,), generator)
    x_train = draws.signs((n, d), generator)
    x_test = draws.signs((n_test, d), generator)
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
        z = draws.normal((count, d), generator)  # torch.randn's, 2× faster (draws)
        y = _sign_ties_up(z @ w_star)
        shift = (gamma / 2) * y[:, None]
        # z += shift·w* in place, in row blocks of ≤ 8 MB: a 10⁴ × 10⁵ test set needs no
        # second copy, and a block's temporary is reused from the heap (blocks of 800 MB
        # were fresh mappings, faulted in each time: 4× slower)
        rows = max(1, SHIFT_BLOCK_BYTES // (d * z.element_size()))
        for start in range(0, count, rows):
            block = slice(start, start + rows)
            z[block] += shift[block] * w_star
        return z, y

    x_train, y_train = draw(n)
    x_test, y_test = draw(n_test)
    return TaskData("binary", x_train, y_train, x_test, y_test, truth={"w_star": w_star})


COMPLETION_TEST_SETS = ("outside-omega", "outside-omega-sym")


def matrix_completion(d: int, n: int, seed: int, test_set: str = "outside-omega") -> TaskData:
    """X* = uuᵀ with u_i = i/d (i = 0..d−1); n distinct ordered entries observed (Fig. 3).

    Inputs are index pairs (i, j), drawn as the authors' ``gen_matrix_for_completion``
    (data.py) does: one random permutation of the d² ordered entries, the first n observed
    (Ω). ``test_set="outside-omega"`` (the authors', default) tests every other ordered
    entry, in permutation order, so the transpose of an observed entry and the diagonal
    can be test entries; ``"outside-omega-sym"`` keeps only entries outside Ω ∪ Ωᵀ (which
    a symmetric model cannot get from its training data). ``truth`` holds ``omega`` (Ω)
    and ``omega_sym`` (Ω ∪ Ωᵀ) as d×d boolean masks.
    """
    if test_set not in COMPLETION_TEST_SETS:
        raise ValueError(f"test_set must be one of {COMPLETION_TEST_SETS}, got {test_set!r}")
    generator = _generator(seed)
    u = torch.arange(d, dtype=torch.float64) / d
    x_star = torch.outer(u, u)
    perm = torch.randperm(d * d, generator=generator)
    flat, rest = perm[:n], perm[n:]
    rows, cols = flat // d, flat % d
    omega = torch.zeros(d, d, dtype=torch.bool)
    omega[rows, cols] = True
    omega_sym = omega | omega.T
    test_rows, test_cols = rest // d, rest % d
    if test_set == "outside-omega-sym":
        keep = ~omega_sym[test_rows, test_cols]
        test_rows, test_cols = test_rows[keep], test_cols[keep]
    x_train = torch.stack([rows, cols], dim=1)
    x_test = torch.stack([test_rows, test_cols], dim=1)
    return TaskData(
        "regression",
        x_train,
        x_star[rows, cols],
        x_test,
        x_star[test_rows, test_cols],
        truth={"x_star": x_star, "omega": omega, "omega_sym": omega_sym},
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


def quad_index(n: int, d: int, n_test: int, seed: int) -> TaskData:
    """Single-index quadratic regression y = (β·x)²/2 with x ~ N(0, I/d), β ~ N(0, I_d)
    (kumar24, Fig. 1; E[y] = ‖β‖²/(2d) ≈ ½). ``truth`` holds β."""
    generator = _generator(seed)
    beta = torch.randn(d, generator=generator, dtype=torch.float64)
    x_train = torch.randn(n, d, generator=generator, dtype=torch.float64) / d**0.5
    x_test = torch.randn(n_test, d, generator=generator, dtype=torch.float64) / d**0.5
    y_train, y_test = (x_train @ beta) ** 2 / 2, (x_test @ beta) ** 2 / 2
    return TaskData("regression", x_train, y_train, x_test, y_test, truth={"beta": beta})
