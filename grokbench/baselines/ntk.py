"""The empirical neural tangent kernel K(x, x') = ⟨∇_θ f(θ̄; x), ∇_θ f(θ̄; x')⟩ of any model.

The kernel predictors of the theory (CLAIMS.md, "Setting") linearise the model at its
reference direction θ̄, so the kernel is computed from the model itself with torch.func
(``functional_call`` + ``jacrev``), one chunk of examples at a time so that the Jacobians
held in memory stay below ``max_bytes`` whatever the data size. Closed forms for the models
that have one (diagonal net, matrix factorisation, an MLP with a zero last layer) are
here too; the tests check the generic kernel against them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Literal

import torch
from torch import nn
from torch.func import functional_call, jacrev, vmap

from grokbench.engine.gram import sign_products

Outputs = Literal["trace", "blocks", "full"]
OUTPUTS: tuple[str, ...] = ("trace", "blocks", "full")

#: Default memory budget for the Jacobians held at once (both sides together).
DEFAULT_MAX_BYTES = 1 << 30


def reference_params(model: nn.Module) -> dict[str, torch.Tensor]:
    """θ̄ of a grokbench model (``reference_parameters()``), else its current parameters,
    on the model's device and dtype."""
    params = dict(model.named_parameters())
    getter = getattr(model, "reference_parameters", None)
    source = getter() if callable(getter) else params
    return {name: source[name].to(param) for name, param in params.items()}


def _jacobian(
    model: nn.Module, params: Mapping[str, torch.Tensor], x: torch.Tensor
) -> list[torch.Tensor]:
    """∂f(θ; x)/∂θ for a batch, as one (m, C, p_k) tensor per parameter (C = 1 for scalars).

    Per example (vmap over examples of jacrev), so the cost is C backward passes per example
    rather than m·C passes over the whole batch.
    """

    def f(p: dict[str, torch.Tensor], xi: torch.Tensor) -> torch.Tensor:
        return functional_call(model, p, (xi.unsqueeze(0),)).reshape(-1)

    jac = vmap(jacrev(f), in_dims=(None, 0))(dict(params), x)
    return [j.reshape(x.shape[0], j.shape[1], -1) for j in jac.values()]


def _contract(left: list[torch.Tensor], right: list[torch.Tensor], outputs: str) -> torch.Tensor:
    """Sum over parameter blocks of the Jacobian products, in the requested output layout."""
    pattern = {"trace": "acp,bcp->ab", "blocks": "acp,bcp->cab", "full": "acp,bdp->abcd"}[outputs]
    total = None
    for a, b in zip(left, right, strict=True):
        part = torch.einsum(pattern, a, b)
        total = part if total is None else total + part
    assert total is not None
    return total


def _chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def _bytes_per_example(
    model: nn.Module, params: Mapping[str, torch.Tensor], x: torch.Tensor
) -> int:
    """Bytes of one example's Jacobian (all outputs, all parameters)."""
    with torch.no_grad():
        n_outputs = functional_call(model, dict(params), (x[:1],)).reshape(1, -1).shape[1]
    first = next(iter(params.values()))
    return n_outputs * sum(p.numel() for p in params.values()) * first.element_size()


def ntk_flops(
    model: nn.Module,
    x: torch.Tensor,
    n_left: int,
    n_right: int,
    params: Mapping[str, torch.Tensor] | None = None,
) -> float:
    """Floating-point operations of the Jacobian contraction (2·n_left·n_right·C·P), the
    dominant cost of ``ntk_blocks``; ``x`` is one example batch to read C from."""
    params = reference_params(model) if params is None else dict(params)
    per_example = _bytes_per_example(model, params, x)
    elements = per_example // next(iter(params.values())).element_size()
    return 2.0 * n_left * n_right * elements


def ntk_blocks(
    model: nn.Module,
    lefts: Sequence[torch.Tensor],
    right: torch.Tensor,
    *,
    params: Mapping[str, torch.Tensor] | None = None,
    outputs: Outputs = "trace",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[torch.Tensor]:
    """K(left, right) for each tensor in ``lefts``, sharing the right-hand Jacobians.

    The right side is processed in chunks holding up to 3/4 of ``max_bytes``, the left
    sides in chunks of 1/4, so the left Jacobians are recomputed once per right chunk
    (once in all when the right side fits). See ``empirical_ntk`` for ``outputs``.
    """
    if outputs not in OUTPUTS:
        raise ValueError(f"outputs must be one of {OUTPUTS}, got {outputs!r}")
    params = reference_params(model) if params is None else dict(params)
    per_example = _bytes_per_example(model, params, right)
    right_size = max(1, int(0.75 * max_bytes) // per_example)
    left_size = max(1, int(0.25 * max_bytes) // per_example)
    row_dim = 1 if outputs == "blocks" else 0
    columns: list[list[torch.Tensor]] = [[] for _ in lefts]
    for right_slice in _chunks(right.shape[0], right_size):
        jac_right = _jacobian(model, params, right[right_slice])
        for out, left in zip(columns, lefts, strict=True):
            parts = [
                _contract(_jacobian(model, params, left[s]), jac_right, outputs)
                for s in _chunks(left.shape[0], left_size)
            ]
            out.append(torch.cat(parts, dim=row_dim))
        del jac_right
    return [torch.cat(cols, dim=row_dim + 1).detach() for cols in columns]


def empirical_ntk(
    model: nn.Module,
    x1: torch.Tensor,
    x2: torch.Tensor | None = None,
    *,
    params: Mapping[str, torch.Tensor] | None = None,
    outputs: Outputs = "trace",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> torch.Tensor:
    """The empirical NTK between ``x1`` (n1 examples) and ``x2`` (n2; default ``x1``).

    ``params`` default to θ̄ (``reference_params``). For C outputs, ``outputs`` picks the
    layout: ``trace`` Σ_c K_cc, shape (n1, n2); ``blocks`` the diagonal blocks K_cc, shape
    (C, n1, n2); ``full`` every K_cc', shape (n1, n2, C, C). At most about ``max_bytes`` of
    Jacobians are alive at once.
    """
    right = x1 if x2 is None else x2
    (kernel,) = ntk_blocks(model, [x1], right, params=params, outputs=outputs, max_bytes=max_bytes)
    return kernel


# ---- closed forms at θ̄ -------------------------------------------------------------


def diagonal_net_ntk(x1: torch.Tensor, x2: torch.Tensor, depth: int = 2) -> torch.Tensor:
    """Depth-L diagonal net at u = v = 1: ∇_u f = L x, ∇_v f = −L x, so K = 2L²⟨x, x'⟩
    (for ±1 inputs from exact integer products, ``gram.sign_products``)."""
    return 2.0 * depth**2 * sign_products(x1, x2)


def factorization_ntk(pairs1: torch.Tensor, pairs2: torch.Tensor) -> torch.Tensor:
    """W = UUᵀ − VVᵀ at U = V = I: ∇_U W_ij = E_ij + E_ji (−that for V), so
    K((i,j), (k,l)) = 2⟨E_ij + E_ji, E_kl + E_lk⟩ = 4(δ_ik δ_jl + δ_il δ_jk)."""
    i, j = pairs1[:, 0, None], pairs1[:, 1, None]
    k, l_ = pairs2[None, :, 0], pairs2[None, :, 1]
    same = ((i == k) & (j == l_)).double() + ((i == l_) & (j == k)).double()
    return 4.0 * same


def zero_last_layer_mlp_ntk(
    hidden1: torch.Tensor, hidden2: torch.Tensor, n_outputs: int
) -> torch.Tensor:
    """Two-layer net with W₂ = 0: only ∂f_c/∂W₂[c] = φ(x) is non-zero, so the blocks are
    K_cc' = δ_cc'⟨φ(x), φ(x')⟩ and the trace is C⟨φ(x), φ(x')⟩ (φ the hidden activations)."""
    return n_outputs * (hidden1 @ hidden2.T)


def closed_form(model: nn.Module) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None:
    """The closed-form trace kernel of ``model`` at θ̄, where grokbench has one for its exact
    class and θ̄ is the one the formula assumes; None otherwise (``ntk_blocks`` computes the
    kernel from the model). A paper-scale diagonal net's kernel (10⁴ × 256 at d = 10⁵) is
    one matrix product this way, against 36 s of Jacobians (one thread)."""
    from grokbench.engine.models import DiagonalNet  # models import nothing from here

    if type(model) is DiagonalNet:
        reference = reference_params(model)
        if all(bool((value == 1).all()) for value in reference.values()):
            return functools.partial(diagonal_net_ntk, depth=model.degree)
    return None
