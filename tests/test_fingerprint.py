"""The fit cache's data key: ±1 arrays hashed by their packed signs, which determine them;
every other array whole."""

from __future__ import annotations

import numpy as np
import pytest

from grokbench.baselines import fingerprint as F
from grokbench.engine import gram as G


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(G, "CHUNK", 64)  # several chunks, a partial last one


def _signs(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2, shape) * 2.0 - 1


def test_packed_signs_are_the_sign_bits() -> None:
    x = _signs((13, 37))
    packed = F.packed_signs(x)
    assert packed is not None
    assert np.array_equal(np.unpackbits(packed)[: x.size].reshape(x.shape), x < 0)


@pytest.mark.parametrize("other", [0.5, 0.0, -0.0, np.nan, 1 + 2**-52])
def test_any_other_value_is_hashed_whole(other: float) -> None:
    x = _signs((13, 37))
    x[-1, -1] = other  # in the last chunk
    assert F.packed_signs(x) is None
    assert F._hashable(x) is x


def test_every_sign_counts() -> None:
    x = _signs((13, 37))
    keys = {F.data_fingerprint("data", (x,))}
    for index in [(0, 0), (6, 20), (12, 36)]:
        flipped = x.copy()
        flipped[index] *= -1
        keys.add(F.data_fingerprint("data", (flipped,)))
    assert len(keys) == 4


def test_shape_dtype_and_label_count() -> None:
    x = _signs((12, 8))
    key = F.data_fingerprint("data", (x,))
    assert F.data_fingerprint("data", (x.reshape(8, 12),)) != key
    assert F.data_fingerprint("data", (x.astype(np.float32),)) != key
    assert F.data_fingerprint("other", (x,)) != key
    assert F.data_fingerprint("data", (x, x)) != key
