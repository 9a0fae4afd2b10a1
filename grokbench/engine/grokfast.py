"""Grokfast (grokfast24): amplify the slow part of the gradient, around any torch optimizer.

``dynamics=grokfast-ema-NAME`` / ``grokfast-ma-NAME`` runs the optimizer ``NAME`` (any name
or import path that ``dynamics`` accepts: ``grokfast-ema-adamw``, ``grokfast-ma-sgd``,
``grokfast-ema-ortho-adamw``) on the gradient plus λ times its low-pass filter, before
every step of the base (the authors' ``grokfast.py``, ``gradfilter_ema`` / ``gradfilter_ma``):

    EMA:  μ ← α μ + (1 − α) g  (μ starts at the first g),   g ← g + λ μ
    MA:   μ = mean of the last w gradients,                  g ← g + λ μ
          (with ``grokfast_warmup`` true, the authors' default, only once w are held).

Settings (``opt.<name>``, validated; a bad value is a ConfigError naming the key):
``grokfast_alpha`` α ∈ [0, 1) (0.98), ``grokfast_lamb`` λ ≥ 0 (2.0 for EMA, 5.0 for MA, the
authors' defaults), ``grokfast_window`` w ≥ 1 (100), ``grokfast_warmup`` (true). λ = 0 is
the identity: the base optimizer's own steps. The filter is elementwise, so one flat θ and
the model's tensors give the same update; λ goes to the base's ``weight_decay`` as for the
plain optimizer (coupled decay, as the authors' Adam, acts after the filter).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import torch

from grokbench.engine.wrappers import wrapper_class
from grokbench.spec import ConfigError

PREFIXES = {"grokfast-ema-": "ema", "grokfast-ma-": "ma"}
#: Each setting's default per filter kind (None: the setting does not apply).
DEFAULTS: dict[str, dict[str, Any]] = {
    "ema": {"grokfast_alpha": 0.98, "grokfast_lamb": 2.0},
    "ma": {"grokfast_window": 100, "grokfast_lamb": 5.0, "grokfast_warmup": True},
}
_ALL = ("grokfast_alpha", "grokfast_lamb", "grokfast_window", "grokfast_warmup")


def split_prefix(name: str) -> tuple[str, str] | None:
    """(filter kind, base name) of a ``grokfast-…`` dynamics name, else None."""
    for prefix, kind in PREFIXES.items():
        if name.startswith(prefix):
            return kind, name[len(prefix) :]
    return None


def check(kind: str, settings: Mapping[str, Any]) -> None:
    """Raise a ValueError naming the first grokfast setting that ``kind`` rejects."""
    for key in _ALL:
        if key not in settings:
            continue
        value = settings[key]
        if key not in DEFAULTS[kind]:
            raise ValueError(f"{key}: not a setting of the {kind.upper()} filter")
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if key == "grokfast_alpha" and not (number and 0 <= value < 1):
            raise ValueError(f"grokfast_alpha: must be in [0, 1), got {value!r}")
        if key == "grokfast_lamb" and not (number and math.isfinite(value) and value >= 0):
            raise ValueError(f"grokfast_lamb: must be a finite number ≥ 0, got {value!r}")
        if key == "grokfast_window" and not (
            isinstance(value, int) and not isinstance(value, bool) and value >= 1
        ):
            raise ValueError(f"grokfast_window: must be an integer ≥ 1, got {value!r}")
        if key == "grokfast_warmup" and _flag(value) is None:
            raise ValueError(f"grokfast_warmup: must be true or false, got {value!r}")


def _flag(value: Any) -> bool | None:
    """A bool, or the words true/false; None for anything else."""
    if isinstance(value, bool):
        return value
    return {"true": True, "false": False}.get(str(value).lower())


def validate(dynamics: str, opt: Mapping[str, Any]) -> None:
    """Config-time check (grokbench.engine.config): grokfast settings need a grokfast
    dynamics and valid values; a ConfigError names the key."""
    inner = next((dynamics[dynamics.find(p) :] for p in PREFIXES if p in dynamics), dynamics)
    parsed = split_prefix(inner)  # also inside other wrappers: sphere-grokfast-ema-adamw
    given = [key for key in _ALL if key in opt]
    if parsed is None:
        if given:
            raise ConfigError(f"opt.{given[0]}: needs dynamics=grokfast-ema-… or grokfast-ma-…")
        return
    try:
        check(parsed[0], opt)
    except ValueError as error:
        raise ConfigError(f"opt.{error}") from None


class GrokfastFilter:
    """The filter state of one tensor: ``apply_(grad)`` adds λ × the filtered gradient."""

    def __init__(self, kind: str, settings: Mapping[str, Any]) -> None:
        merged = {**DEFAULTS[kind], **settings}
        check(kind, merged)
        self.kind = kind
        self.lamb = float(merged["grokfast_lamb"])
        self.alpha = float(merged.get("grokfast_alpha", 0.0))
        self.window = int(merged.get("grokfast_window", 1))
        self.warmup = bool(_flag(merged.get("grokfast_warmup", True)))
        self.mean: torch.Tensor | None = None  # EMA state
        self.buffer: torch.Tensor | None = None  # MA: the last w gradients (a ring)
        self.total: torch.Tensor | None = None  # MA: their running sum
        self.count = 0

    def apply_(self, grad: torch.Tensor) -> None:
        """Update the filter with ``grad`` and add λ × the filter to it, in place."""
        if self.kind == "ema":
            if self.mean is None:
                self.mean = grad.detach().clone()
            else:
                self.mean.mul_(self.alpha).add_(grad, alpha=1 - self.alpha)
            if self.lamb:
                grad.add_(self.mean, alpha=self.lamb)
            return
        if self.buffer is None or self.total is None:
            self.buffer = torch.zeros((self.window, *grad.shape), dtype=grad.dtype,
                                      device=grad.device)  # fmt: skip
            self.total = torch.zeros_like(grad)
        slot = self.count % self.window
        self.total.sub_(self.buffer[slot]).add_(grad)
        self.buffer[slot].copy_(grad)
        self.count += 1
        if self.count % self.window == 0:  # refresh the sum: no drift from rounding
            self.total.copy_(self.buffer.sum(0))
        held = min(self.count, self.window)
        if self.lamb and (held == self.window or not self.warmup):
            grad.add_(self.total, alpha=self.lamb / held)


class Grokfast(torch.optim.Optimizer):
    """Grokfast around ``base_class`` (set by :func:`grokfast`): filters, then steps the base."""

    base_class: type[torch.optim.Optimizer] = torch.optim.SGD
    kind = "ema"

    def __init__(self, params: Iterable[Any], **settings: Any) -> None:
        own = {key: settings.pop(key) for key in _ALL if key in settings}
        check(self.kind, own)
        super().__init__(params, {})
        if (
            "segments" in settings
            and "segments" not in inspect.signature(self.base_class).parameters
        ):
            settings.pop("segments")
        self.options = own
        # the base shares this optimizer's parameter groups (and so their lr)
        self.base = self.base_class(self.param_groups, **settings)
        self.filters: dict[int, GrokfastFilter] = {}

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> Any:  # type: ignore[override]
        if closure is not None:  # a closure would recompute the gradient unfiltered
            raise ValueError("Grokfast: closures are not supported")
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                state = self.filters.setdefault(id(param), GrokfastFilter(self.kind, self.options))
                state.apply_(param.grad)
        return self.base.step()


def grokfast(base: type[torch.optim.Optimizer], kind: str) -> type[torch.optim.Optimizer]:
    """The Grokfast wrapper (``kind`` ema or ma) of ``base`` (settings: the filter's,
    ``segments``)."""
    name = f"Grokfast{kind.upper()}{base.__name__}"
    return wrapper_class(name, Grokfast, base, dict(DEFAULTS[kind]), kind=kind)
