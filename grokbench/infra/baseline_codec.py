"""Fitted baselines as JSON for the results store: arrays as base64 of their bytes, so a
re-judge reads back the very floats the run's probes compared with.

A run set's baselines are fitted on data of up to 8 GB (paper scale), which a re-judge
would otherwise draw again for each member just to look the fit up in the joblib cache.
joblib's own pickles would do, but a store is a file people share, and unpickling runs
code; this reads numbers only.
"""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

import numpy as np

from grokbench.spec import BaselineResult


def _encode(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        data = base64.b64encode(np.ascontiguousarray(value).tobytes()).decode("ascii")
        return {"__ndarray__": data, "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(key): _encode(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"baseline value of type {type(value).__name__} cannot be stored")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "__ndarray__" in value:
            raw = base64.b64decode(value["__ndarray__"])
            return np.frombuffer(raw, dtype=np.dtype(value["dtype"])).reshape(value["shape"]).copy()
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def encode_baselines(results: dict[str, BaselineResult]) -> dict[str, Any]:
    """``{name: BaselineResult}`` as a JSON-ready dict (TypeError on a value it cannot
    store, rather than a lossy one)."""
    return {name: _encode(dataclasses.asdict(result)) for name, result in results.items()}


def decode_baselines(data: dict[str, Any]) -> dict[str, BaselineResult]:
    """The inverse of ``encode_baselines``."""
    return {name: BaselineResult(**_decode(fields)) for name, fields in data.items()}
