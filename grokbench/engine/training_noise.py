"""Power et al.'s training-only interventions, shared by their models (binop_mlp, decoder):
Gaussian weight noise (``wnoise``) and dropout (``dropout``), drawn from one seeded generator
per model and device so a run is reproducible."""

from __future__ import annotations

import torch


class TrainingNoise:
    """Mixin: call ``_init_noise`` in ``__init__`` after setting ``dropout`` and ``wnoise``."""

    dropout: float
    wnoise: float

    def _init_noise(self, generator: torch.Generator | None) -> None:
        self._seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator))
        self._noise: torch.Generator | None = None

    def _generator(self, device: torch.device) -> torch.Generator:
        if self._noise is None or self._noise.device != device:
            self._noise = torch.Generator(device=device).manual_seed(self._seed)
        return self._noise

    def _noisy(self, weight: torch.Tensor, training: bool) -> torch.Tensor:
        """weight + wnoise·N(0, 1) in a training step, weight otherwise."""
        if not (training and self.wnoise > 0):
            return weight
        noise = torch.randn(weight.shape, generator=self._generator(weight.device),
                            device=weight.device, dtype=weight.dtype)  # fmt: skip
        return weight + self.wnoise * noise

    def _dropped(self, h: torch.Tensor, training: bool) -> torch.Tensor:
        """Inverted dropout of ``h`` in a training step, ``h`` otherwise."""
        if not (training and self.dropout > 0):
            return h
        keep = torch.rand(h.shape, generator=self._generator(h.device), device=h.device,
                          dtype=h.dtype) >= self.dropout  # fmt: skip
        return h * keep / (1 - self.dropout)
