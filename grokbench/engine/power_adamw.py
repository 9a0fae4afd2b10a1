"""The AdamW variant of Power et al. (2022), ``grok/training.py`` ``CustomAdamW``, as a torch
optimizer: ``dynamics=power-adamw`` with ``opt.wd_kind`` and ``opt.noise_factor``.

Each step first decays the weights, decoupled from the gradient: toward 0
(θ ← θ(1 − ηλ), ``wd_kind=to_zero``, the update of ``torch.optim.AdamW``) or toward the
initial weights (θ ← θ + ηλ(θ₀ − θ), ``to_init``); then takes the bias-corrected Adam
step, to which ``noise_factor`` adds Gaussian noise N(0, σ²) on the normalised update
m̂/(√v̂ + ε) (the authors' "Gaussian noise" intervention). The defaults are the paper's:
β = (0.9, 0.98), ε = 1e-8.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import torch

WD_KINDS = ("to_zero", "to_init")


class PowerAdamW(torch.optim.Optimizer):
    """AdamW with decay toward 0 or toward θ₀ and optional noise on the normalised update."""

    def __init__(
        self,
        params: Iterable[torch.Tensor] | Iterable[dict[str, Any]],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.98),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        wd_kind: str = "to_zero",
        noise_factor: float = 0.0,
        seed: int = 0,
    ) -> None:
        if wd_kind not in WD_KINDS:
            raise ValueError(f"opt.wd_kind must be one of {', '.join(WD_KINDS)}, got {wd_kind!r}")
        if noise_factor < 0:
            raise ValueError(f"opt.noise_factor must be ≥ 0, got {noise_factor}")
        if not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ValueError(f"opt.betas must lie in [0, 1), got {betas}")
        if lr < 0 or eps <= 0 or weight_decay < 0:
            raise ValueError(
                f"need lr ≥ 0, eps > 0, weight_decay ≥ 0; got {lr}, {eps}, {weight_decay}"
            )
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        wd_kind=wd_kind, noise_factor=noise_factor)  # fmt: skip
        super().__init__(params, defaults)
        self._seed = seed
        self._noise: torch.Generator | None = None

    def _generator(self, device: torch.device) -> torch.Generator:
        if self._noise is None:
            self._noise = torch.Generator(device=device).manual_seed(self._seed + 424_242)
        return self._noise

    @torch.no_grad()
    def step(self, closure: Any = None) -> Any:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, wd, (beta1, beta2) = group["lr"], group["weight_decay"], group["betas"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                state = self.state[param]
                if not state:
                    state["step"] = 0
                    state["m"] = torch.zeros_like(param)
                    state["v"] = torch.zeros_like(param)
                    if group["wd_kind"] == "to_init":
                        state["init"] = param.detach().clone()
                if wd > 0:
                    if group["wd_kind"] == "to_zero":
                        param.mul_(1 - lr * wd)
                    else:
                        param.add_(state["init"] - param, alpha=lr * wd)
                state["step"] += 1
                grad, k = param.grad, state["step"]
                state["m"].mul_(beta1).add_(grad, alpha=1 - beta1)
                state["v"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = (state["v"].sqrt() / math.sqrt(1 - beta2**k)).add_(group["eps"])
                update = state["m"] / denom
                if group["noise_factor"] > 0:
                    noise = torch.randn(
                        update.shape, generator=self._generator(update.device),
                        device=update.device, dtype=update.dtype,
                    )  # fmt: skip
                    update.add_(noise, alpha=group["noise_factor"])
                param.add_(update, alpha=-lr / (1 - beta1**k))
        return loss
