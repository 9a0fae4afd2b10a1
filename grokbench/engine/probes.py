"""Probes: extra numbers recorded at every evaluation time, for the claims to read.

A probe factory takes the run's ``Prepared`` (data, model, θ̄ on the device) and returns a
function θ → {name: value}. Factories that compare with a baseline close over the
baseline's predictions or weights.
"""

from __future__ import annotations

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from grokbench.engine.gram import int8_signs, weighted_gram
from grokbench.engine.models import DiagonalNet, MatrixFactorization
from grokbench.engine.objective import test_outputs as outputs_on_test
from grokbench.spec import READS_TEST_OUTPUTS, Prepared, Probe, ProbeFactory


def reads_test_outputs(probe: Probe) -> bool:
    """Whether a probe takes the test outputs (spec's ``READS_TEST_OUTPUTS``)."""
    return bool(getattr(probe, READS_TEST_OUTPUTS, False))


def apply_probe(
    probe: Probe, theta: torch.Tensor, test_outputs: torch.Tensor | None = None
) -> dict[str, float]:
    """``probe(θ)``, or ``probe(θ, test_outputs)`` for a probe that reads them (spec's
    ``READS_TEST_OUTPUTS``) when the caller has them."""
    if test_outputs is not None and reads_test_outputs(probe):
        return probe(theta, test_outputs)  # type: ignore[call-arg]
    return probe(theta)


def combined(probes: list[Probe]) -> Probe:
    """One probe recording what all of ``probes`` record, passing the test outputs on."""

    def probe(theta: torch.Tensor, test_outputs: torch.Tensor | None = None) -> dict[str, float]:
        return {k: v for each in probes for k, v in apply_probe(each, theta, test_outputs).items()}

    setattr(probe, READS_TEST_OUTPUTS, True)
    return probe


def _cosine(a: torch.Tensor, b: torch.Tensor) -> float:
    denominator = float(a.norm() * b.norm())
    return float(a @ b) / denominator if denominator > 0 else 0.0


def diagonal_weights(prepared: Prepared, theta: torch.Tensor) -> torch.Tensor:
    """w(θ) = u^L − v^L of a diagonal net."""
    params = prepared.flat.unflatten(theta)
    return DiagonalNet.weights_of(params["u"], params["v"], int(prepared.model.degree))


def factorized_matrix(prepared: Prepared, theta: torch.Tensor) -> torch.Tensor:
    """W(θ) = UUᵀ − VVᵀ of a matrix factorisation."""
    params = prepared.flat.unflatten(theta)
    return MatrixFactorization.matrix_of(params["U"], params["V"])


def reference_cosine(prepared: Prepared) -> Probe:
    """cos(θ, θ̄): 1 while the parameters only shrink along the initial direction (K1)."""
    reference = prepared.theta0
    return lambda theta: {"cos_ref": _cosine(theta, reference)}


def weight_cosines(references: dict[str, np.ndarray]) -> ProbeFactory:
    """cos(w(θ), w_name) for each named linear predictor (diagonal nets; K2, R1)."""

    def factory(prepared: Prepared) -> Probe:
        dtype, device = prepared.theta0.dtype, prepared.device
        refs = {k: torch.as_tensor(v, dtype=dtype, device=device) for k, v in references.items()}

        def probe(theta: torch.Tensor) -> dict[str, float]:
            w = diagonal_weights(prepared, theta)
            return {f"cos_w_{name}": _cosine(w, ref) for name, ref in refs.items()}

        return probe

    return factory


def support_match(prepared: Prepared) -> Probe:
    """Whether the k largest |w_j| sit exactly on the true support (R1), the share of ‖w‖₁
    on it, and the largest off-support |w_j| relative to max |w| (how sparse w is yet)."""
    truth = prepared.data.truth["w_star"] != 0
    k = int(truth.sum())

    def probe(theta: torch.Tensor) -> dict[str, float]:
        w = diagonal_weights(prepared, theta).abs()
        top = torch.zeros_like(truth)
        top[torch.topk(w, k).indices] = True
        off = w[~truth]
        return {
            "support_topk": float(torch.equal(top, truth)),
            "support_mass": float(w[truth].sum() / w.sum().clamp(min=1e-300)),
            "off_support_max": float(off.max() / w.max()) if len(off) else 0.0,
        }

    return probe


def baseline_agreement(references: dict[str, np.ndarray]) -> ProbeFactory:
    """Agreement with each named baseline on the test set: the fraction of equal labels
    (classification) or the relative L2 distance of predictions (regression). It reads the
    test outputs the evaluation has computed when the recorder passes them."""

    def factory(prepared: Prepared) -> Probe:
        data = prepared.data
        refs = {k: torch.as_tensor(v, device=prepared.device) for k, v in references.items()}

        def probe(
            theta: torch.Tensor, test_outputs: torch.Tensor | None = None
        ) -> dict[str, float]:
            out = (
                outputs_on_test(
                    prepared.flat.function, theta, data.x_test, prepared.flat.mixed_precision_inputs
                )
                if test_outputs is None
                else test_outputs
            )
            result = {}
            for name, ref in refs.items():
                if data.kind == "regression":
                    ref = ref.to(out.dtype)
                    distance = (out - ref).norm() / ref.norm().clamp(min=1e-300)
                    result[f"dist_{name}"] = float(distance)
                elif data.kind == "binary":
                    labels = torch.where(out >= 0, 1.0, -1.0).to(ref.dtype)
                    result[f"agree_{name}"] = float((labels == ref).double().mean())
                else:
                    result[f"agree_{name}"] = float((out.argmax(-1) == ref).double().mean())
            return result

        setattr(probe, READS_TEST_OUTPUTS, True)
        return probe

    return factory


def matrix_probes(references: dict[str, np.ndarray]) -> ProbeFactory:
    """For matrix completion: the largest |W_ij| outside Ω ∪ Ωᵀ relative to max |X*| (K4),
    the nuclear norm and σ₂/σ₁ of W, ‖W − X_name‖_F / ‖X_name‖_F (R4) and the same for
    the ground truth X* (R8)."""

    def factory(prepared: Prepared) -> Probe:
        truth = prepared.data.truth
        hidden = ~truth["omega_sym"]  # off Ω ∪ Ωᵀ: what the kernel phase leaves at 0
        scale = float(truth["x_star"].abs().max())
        x_star = truth["x_star"].to(prepared.device)
        dtype = prepared.theta0.dtype
        refs = {
            k: torch.as_tensor(v, dtype=dtype, device=prepared.device)
            for k, v in references.items()
        }

        def probe(theta: torch.Tensor) -> dict[str, float]:
            matrix = factorized_matrix(prepared, theta)
            singular = torch.linalg.svdvals(matrix)
            result = {
                "off_mask": float(matrix[hidden].abs().max()) / scale if hidden.any() else 0.0,
                "nuclear_norm": float(singular.sum()),
                "sigma_ratio": float(singular[1] / singular[0]) if singular[0] > 0 else 0.0,
            }
            for name, ref in refs.items():
                result[f"dist_{name}"] = float((matrix - ref).norm() / ref.norm())
            result["dist_x_star"] = float((matrix - x_star).norm() / x_star.norm())  # R8
            return result

        return probe

    return factory


# KKT residual (R7) ------------------------------------------------------------------------
# r(θ) = min_μ ‖Σᵢ μᵢ ∇gᵢ(θ) − θ‖ / ‖θ‖ with gᵢ = yᵢfᵢ (classification, μ ≥ 0 on the
# near-active constraints) or gᵢ = fᵢ (regression, μ free, every training point). For an
# L-homogeneous f a KKT point of min ‖θ‖² s.t. gᵢ ≥ 1 (or fᵢ = yᵢ) has θ = Σ μᵢ∇gᵢ up to
# the scale of μ, so r = 0 there; r is invariant to rescaling θ (∇gᵢ(cθ) = c^{L−1}∇gᵢ(θ)
# and μ absorbs the factor) and r ≤ 1 (μ = 0). Only the Gram matrix G = JJᵀ and Jθ enter:
# ‖Jᵀμ − θ‖² = μᵀGμ − 2μᵀJθ + ‖θ‖²: closed forms for the diagonal net and UUᵀ − VVᵀ never
# form the n × P Jacobian (torch.func.jacrev serves any other model, within a memory bound).


def kkt_residual_from_gram(
    gram: np.ndarray, jtheta: np.ndarray, theta_sq: float, nonnegative: bool
) -> float:
    """min over μ (μ ≥ 0 if ``nonnegative``) of ‖Jᵀμ − θ‖ / ‖θ‖ from G = JJᵀ, Jθ and ‖θ‖².

    G = QΛQᵀ turns the quadratic into the least-squares problem ‖Aμ − b‖² + ‖θ‖² − ‖b‖²
    with A = Λ^{1/2}Qᵀ, b = Λ^{−1/2}QᵀJθ (Jθ lies in the range of G), solved by
    ``scipy.optimize.nnls`` or, for free μ, exactly (the minimum is ‖θ‖² − ‖b‖²).
    """
    from scipy.optimize import nnls

    if theta_sq <= 0:
        return 0.0
    if gram.size == 0:
        return 1.0
    # One BLAS thread: the problem is n × n, and BLAS threads woken between torch's own
    # (mid-run) made this 3-4× slower on 2 cores.
    with threadpool_limits(1):
        eigenvalues, vectors = np.linalg.eigh(gram)
        keep = eigenvalues > max(eigenvalues.max(), 0.0) * 1e-12 * len(eigenvalues)
        if not keep.any():
            return 1.0
        root = np.sqrt(eigenvalues[keep])
        a = root[:, None] * vectors[:, keep].T
        b = (vectors[:, keep].T @ jtheta) / root
        unexplained = theta_sq - float(b @ b)
        if nonnegative:
            _, rnorm = nnls(a, b, maxiter=50 * a.shape[1])
            unexplained += float(rnorm) ** 2
    return float(np.sqrt(min(max(unexplained / theta_sq, 0.0), 1.0)))


def _diagonal_gram(
    prepared: Prepared,
    theta: torch.Tensor,
    rows: torch.Tensor,
    block: int = 8192,
    signs: torch.Tensor | None = None,
) -> torch.Tensor:
    """G = JJᵀ of f over the training rows ``rows`` for w = u^L − v^L, in closed form:
    ∇_u fᵢ = L xᵢ ⊙ u^{L−1}, ∇_v fᵢ = −L xᵢ ⊙ v^{L−1}, so G = L² X diag(u^{2L−2} + v^{2L−2}) Xᵀ,
    accumulated over column blocks (memory: one m × ``block`` slice at a time); ``signs``:
    the inputs as int8 when they are ±1 (``gram.int8_signs``), for integer products."""
    params = prepared.flat.unflatten(theta)
    depth = prepared.model.degree
    scale = params["u"] ** (2 * depth - 2) + params["v"] ** (2 * depth - 2)
    return weighted_gram(prepared.data.x_train, rows, scale, block, signs) * depth**2


def _factorization_gram(
    prepared: Prepared, theta: torch.Tensor, rows: torch.Tensor
) -> torch.Tensor:
    """G = JJᵀ of f_ij = (UUᵀ − VVᵀ)_ij in closed form: with A = UUᵀ + VVᵀ,
    ⟨∇f_ij, ∇f_kl⟩ = δ_ik A_jl + δ_il A_jk + δ_jk A_il + δ_jl A_ik (m × m, no Jacobian)."""
    params = prepared.flat.unflatten(theta)
    a = params["U"] @ params["U"].T + params["V"] @ params["V"].T
    pairs = prepared.data.x_train[rows]
    r, c = pairs[:, 0], pairs[:, 1]

    def same(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        return (p[:, None] == q[None, :]).to(theta.dtype)

    return (
        same(r, r) * a[c][:, c]
        + same(r, c) * a[c][:, r]
        + same(c, r) * a[r][:, c]
        + same(c, c) * a[r][:, r]
    )


def _jacobian_gram(
    prepared: Prepared, theta: torch.Tensor, rows: torch.Tensor, max_bytes: int
) -> torch.Tensor:
    """G = JJᵀ from the model's own Jacobian (torch.func.jacrev), for any model."""
    x = prepared.data.x_train[rows]
    size = len(rows) * theta.numel() * theta.element_size()
    if size > max_bytes:
        raise ValueError(f"kkt_residual: the {len(rows)} × {theta.numel()} Jacobian needs "
                         f"{size / 2**20:.0f} MiB > {max_bytes / 2**20:.0f} MiB")  # fmt: skip
    jac = torch.func.jacrev(lambda th: prepared.flat.function(th, x).reshape(-1))(theta)
    return jac @ jac.T


def training_signs(prepared: Prepared) -> torch.Tensor | None:
    """A diagonal net's training inputs as int8 when they are ±1 (``gram.int8_signs``),
    else None: computed once per run, read by every ``kkt_residual`` of it."""
    if not isinstance(prepared.model, DiagonalNet):
        return None
    return int8_signs(prepared.data.x_train)


def kkt_residual(
    prepared: Prepared,
    theta: torch.Tensor,
    eps: float = 0.5,
    max_bytes: int = 2**28,
    outputs: torch.Tensor | None = None,
    sign_inputs: torch.Tensor | None = None,
) -> tuple[float, int]:
    """(r(θ), the number of constraints the multipliers range over) for one θ;
    ``outputs``: f(θ) on the training inputs, when the caller has them; ``sign_inputs``: the
    training inputs as int8 when they are ±1 (``training_signs``), for the diagonal net's
    Gram in integers.

    Classification: the constraints with qᵢ = yᵢfᵢ ≤ (1 + ε)·min q, μ ≥ 0; none when
    min q ≤ 0 (the data is not separated yet), which gives r = 1. Regression: all points,
    μ free. Jθ = L·f by Euler's theorem for an L-homogeneous f.
    """
    data = prepared.data
    if data.kind == "multiclass":
        raise ValueError("kkt_residual: binary classification and regression only")
    with torch.no_grad():
        if outputs is None:
            outputs = prepared.flat.function(theta, data.x_train)
        out = outputs.reshape(-1)
        if data.kind == "binary":
            q = data.y_train * out
            q_min = float(q.min())
            if q_min <= 0:
                return 1.0, 0
            rows = torch.nonzero(q <= (1 + eps) * q_min).flatten()
            signs, values = data.y_train[rows], q[rows]
        else:
            rows = torch.arange(len(out), device=out.device)
            signs, values = torch.ones_like(out), out
        if isinstance(prepared.model, DiagonalNet):
            gram_f = _diagonal_gram(prepared, theta, rows, signs=sign_inputs)
        elif isinstance(prepared.model, MatrixFactorization):
            gram_f = _factorization_gram(prepared, theta, rows)
        else:
            gram_f = _jacobian_gram(prepared, theta, rows, max_bytes)
        gram = signs[:, None] * gram_f * signs[None, :]  # ∇gᵢ = yᵢ∇fᵢ (signs 1: regression)
        jtheta = prepared.model.degree * values
        residual = kkt_residual_from_gram(
            gram.cpu().numpy(),
            jtheta.cpu().numpy(),
            float(theta @ theta),
            nonnegative=data.kind == "binary",
        )
    return residual, len(rows)


def kkt_probe(eps: float = 0.5, max_bytes: int = 2**28) -> ProbeFactory:
    """Records ``kkt_residual`` r(θ) (R7) and ``kkt_active``, the number of constraints
    the multipliers range over. ``eps`` sets the near-active set qᵢ ≤ (1 + ε)·min q;
    ``max_bytes`` bounds the Jacobian of models without a closed form.

    Why ε = 0.5: at finite λ a stationary point of L_λ has multipliers ∝ σ(−qᵢ) ≈ e^{−qᵢ},
    so a constraint at (1 + ε)·q_min still weighs e^{−ε·q_min} of an active one, and late
    margins are only q_min ≈ ln(1/λ) ≈ 3–7. With ε = 0.1 that weight is 0.5–0.7 and the
    cut alone leaves r ≈ 0.39 at the end of a ci run (sparse-cls, λt = 6) where ε = 0.3 and
    ε = 1 both give 0.18 (88 and 89 of 128 constraints: a gap in the margins, which ε = 0.5
    sits inside); the L1 KKT point, the L2 solution and θ̄ give r ≈ 0, 0.44, 1 for any ε.
    """

    def factory(prepared: Prepared) -> Probe:
        signs = training_signs(prepared)

        def probe(theta: torch.Tensor) -> dict[str, float]:
            residual, active = kkt_residual(prepared, theta, eps, max_bytes, sign_inputs=signs)
            return {"kkt_residual": residual, "kkt_active": float(active)}

        return probe

    return factory
