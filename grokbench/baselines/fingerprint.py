"""The fit cache's key for a dataset: a hash of every number in it, in fewer bytes.

SHA-1 (not joblib's default MD5: 1.25 against 0.49 GB/s here, with the CPU's SHA
instructions; a cache key, not a signature, so SHA-1's collision attacks do not matter).
Arrays of ±1 only (the sparse tasks' inputs) are hashed as their packed sign bits, which
determine them: 1/64 of the bytes, where hashing a paper-scale sparse member's 8 GB took
6.7 s. Other arrays are hashed whole.
"""

from __future__ import annotations

from typing import Any

import joblib
import numpy as np

from grokbench.engine.gram import each_sign_chunk


def packed_signs(array: np.ndarray) -> np.ndarray | None:
    """The sign bits of ``array`` packed 8 to a byte (C order) when every value is +1 or
    −1, else None (found at the first chunk that has another value)."""
    packed: list[np.ndarray] = []

    def pack(_start: int, chunk: np.ndarray) -> None:
        packed.append(np.packbits(np.signbit(chunk)))

    return np.concatenate(packed) if each_sign_chunk(array, pack) else None


def _hashable(array: np.ndarray) -> Any:
    signs = packed_signs(array)
    if signs is None:
        return array
    return ("±1", array.shape, array.dtype.str, signs)


def data_fingerprint(label: Any, arrays: tuple[np.ndarray, ...]) -> str:
    """SHA-1 of ``label`` and ``arrays`` (±1 arrays by their packed signs)."""
    return joblib.hash((label, tuple(_hashable(a) for a in arrays)), hash_name="sha1")
