"""Image classification with an MLP at init scale α (omnigrok23: Liu, Michaud, Tegmark,
"Omnigrok", ICLR 2023, Fig. 3; the authors' mnist/grokking notebook).

Data: scikit-learn's bundled ``digits`` (1797 8×8 images, no download; pixels / 16) or
MNIST from a local ``.npz`` (keys x_train, y_train, x_test, y_test as Keras ships it;
pixels / 255). The model is the authors' ``nn.Sequential`` of ``depth`` Linear layers
(``depth`` counts Linear modules, as theirs), ReLU between, a bias in every layer, θ̄ =
nn.Linear's default init U(±1/√fan_in); θ₀ = α·θ̄ (their ``p.data = initialization_scale *
p.data``). With biases the net is not homogeneous; ``degree`` is nominal.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch

from grokbench.engine.models import HomogeneousModel
from grokbench.spec import ConfigError, TaskData

DATASETS = ("digits", "mnist")
_MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")


def digits(n: int, n_test: int, seed: int) -> TaskData:
    """A seeded split of scikit-learn's digits: n training images, then up to n_test."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:  # pragma: no cover - scikit-learn ships with the dev environment
        raise ConfigError("data: digits needs scikit-learn (pip install scikit-learn)") from None
    bunch = load_digits()
    total = len(bunch.target)
    if n >= total:
        raise ConfigError(f"n: digits has {total} images, so n must be < {total}, got {n}")
    x = torch.as_tensor(bunch.data, dtype=torch.float64) / 16.0
    y = torch.as_tensor(bunch.target, dtype=torch.int64)
    order = torch.randperm(total, generator=torch.Generator().manual_seed(seed))
    train, test = order[:n], order[n : n + n_test]
    return TaskData("multiclass", x[train], y[train], x[test], y[test], n_outputs=10)


def mnist(path: str, n: int, n_test: int) -> TaskData:
    """The first n training and n_test test images of a local MNIST ``.npz`` (the authors
    take ``Subset(train, range(train_points))``); a missing file is a ConfigError."""
    if not path:
        raise ConfigError("data_path: data=mnist needs data_path=/path/to/mnist.npz")
    file = Path(path).expanduser()
    if not file.is_file():
        raise ConfigError(f"data_path: no such file {str(file)!r} (an MNIST .npz)")
    import numpy as np

    try:
        with np.load(file) as archive:
            arrays = {key: np.asarray(archive[key]) for key in _MNIST_KEYS}
    except (OSError, ValueError, KeyError) as error:
        raise ConfigError(f"data_path: {str(file)!r} is not an MNIST .npz ({error})") from None

    def images(key: str, count: int) -> torch.Tensor:
        values = torch.as_tensor(arrays[key][:count], dtype=torch.float64)
        return values.reshape(values.shape[0], -1) / 255.0

    def labels(key: str, count: int) -> torch.Tensor:
        return torch.as_tensor(arrays[key][:count], dtype=torch.int64)

    return TaskData(
        "multiclass", images("x_train", n), labels("y_train", n),
        images("x_test", n_test), labels("y_test", n_test), n_outputs=10,
    )  # fmt: skip


class ImageMLP(HomogeneousModel):
    """``depth`` Linear layers with biases and ReLU between (the authors' MLP), θ̄ drawn as
    nn.Linear's default init: U(±1/√fan_in) for weights and biases."""

    def __init__(
        self,
        in_dim: int,
        width: int,
        out_dim: int,
        depth: int = 3,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        if depth < 1:
            raise ValueError(f"depth must be at least 1, got {depth}")
        self.degree = depth  # nominal: biases break homogeneity
        dims = [in_dim] + [width] * (depth - 1) + [out_dim]
        self.layers = torch.nn.ModuleList(
            torch.nn.Linear(dims[i], dims[i + 1], dtype=torch.float64) for i in range(depth)
        )
        reference: dict[str, torch.Tensor] = {}
        for i in range(depth):
            bound = 1.0 / math.sqrt(dims[i])
            for name, shape in (("weight", (dims[i + 1], dims[i])), ("bias", (dims[i + 1],))):
                draw = torch.rand(shape, generator=generator, dtype=torch.float64)
                reference[f"layers.{i}.{name}"] = draw.mul_(2 * bound).sub_(bound)
        self._set_reference(reference, 1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = x
        for layer in self.layers[:-1]:
            hidden = torch.relu(layer(hidden))
        return self.layers[-1](hidden)
