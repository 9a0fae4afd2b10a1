"""The ``image-mlp`` experiment's keys, presets and builders (omnigrok23: Liu, Michaud,
Tegmark, "Omnigrok: Grokking Beyond Algorithmic Data", ICLR 2023; imported by
``grokbench.engine.experiments``; torch is imported only when a run builds its data:
``grokbench.engine.image_mlp``).

An MLP (``depth`` Linear layers, ``width`` hidden units, biases, nn.Linear's init × α) on
images, the ``mse`` loss on one-hot targets, AdamW with decoupled λ (``wd``), float64 (the
authors' notebook sets float64 too). The clock is t = Σ lr, so AdamW's decay is e^{−λt}.
``dynamics=sphere-adamw`` keeps ‖θ‖ at ‖θ₀‖ (the authors' landscape runs; engine.sphere).

- paper: the authors' mnist/grokking notebook (Fig. 3): MNIST, 1000 training images,
  depth 3, width 200, α 8, AdamW lr 1e-3, λ 0.01, batch 200, 1e5 steps (t = 100); MNIST
  comes from a local file: ``--set data_path=/path/mnist.npz``.
- ci: the measured proxy on scikit-learn's digits (300 training images, the other 1497 for
  test, width 128, α 4, full batch, lr 3e-3, λ 0.2, t = 1.5/λ).
- smoke: seconds; its verdicts mean nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grokbench.spec import TaskData

if TYPE_CHECKING:
    import torch

KEYS: dict[str, type] = {
    "data": str, "data_path": str, "n": int, "n_test": int, "width": int, "depth": int,
}  # fmt: skip
#: Value checks of the keys only this experiment has (config.CHECKS holds n, width, ...).
CHECKS: dict[str, tuple[Any, str]] = {
    "data": (lambda v: v in ("digits", "mnist"), "one of digits, mnist"),
}
_ADAMW: dict[str, Any] = {"dynamics": "adamw", "loss": "mse"}
SCALES: dict[str, dict[str, Any]] = {
    "smoke": dict(data="digits", n=100, n_test=400, width=32, depth=3, alpha=4.0, **_ADAMW,
                  wd=0.2, lr=3e-3, horizon="0.6", evals=20),
    "ci": dict(data="digits", n=300, n_test=1497, width=128, depth=3, alpha=4.0, **_ADAMW,
               wd=0.2, lr=3e-3, horizon="1.5/wd", evals=60),
    "paper": dict(data="mnist", data_path="", n=1000, n_test=10_000, width=200, depth=3,
                  alpha=8.0, **_ADAMW, wd=0.01, lr=1e-3, batch=200, horizon="100", evals=150),
}  # fmt: skip


def build_task(sizes: dict[str, Any], seed: int) -> TaskData:
    """digits (seeded split) or MNIST from ``data_path`` (grokbench.engine.image_mlp)."""
    from grokbench.engine import image_mlp

    if sizes.get("data", "digits") == "mnist":
        return image_mlp.mnist(sizes.get("data_path", ""), sizes["n"], sizes["n_test"])
    return image_mlp.digits(sizes["n"], sizes["n_test"], seed)


def build_model(sizes: dict[str, Any], data: TaskData, generator: torch.Generator) -> Any:
    """The authors' MLP: ``depth`` Linear layers with biases, nn.Linear's init."""
    from grokbench.engine.image_mlp import ImageMLP

    return ImageMLP(data.x_train.shape[1], sizes["width"], data.n_outputs, sizes["depth"],
                    generator=generator)  # fmt: skip
