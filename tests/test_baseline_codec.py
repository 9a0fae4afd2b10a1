"""Baselines kept in the store come back as the same numbers, arrays bit for bit (they
are the floats the probes compared with), and a value the codec cannot keep is refused."""

import numpy as np
import pytest

from grokbench.infra.baseline_codec import decode_baselines, encode_baselines
from grokbench.infra.store import Store
from grokbench.spec import BaselineResult


def _result() -> BaselineResult:
    rng = np.random.default_rng(0)
    extra = {
        "k_train": rng.standard_normal((3, 4)),
        "rounds": np.int64(7),
        "margin": np.float64(0.25),
        "converged": True,
        "nested": {"labels": np.array([1, -1, 1], dtype=np.int32), "note": None},
    }
    return BaselineResult("l1_max_margin", "acc", 0.875, 1.5, nnz=3,
                          predictions=np.sign(rng.standard_normal(5)),
                          coef=rng.standard_normal(6) * 1e-300, extra=extra)  # fmt: skip


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.tobytes() == b.tobytes()
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) or (isinstance(a, np.generic) and a.item() == b)


def test_round_trip_through_the_store(tmp_path):
    result = _result()
    with Store(tmp_path / "s.sqlite") as store:
        store.put_baselines("run:set", "v1", {"l1_max_margin": result})
        back = store.get_baselines("run:set", "v1")
        assert store.get_baselines("run:set", "v2") is None
    assert back is not None and set(back) == {"l1_max_margin"}
    got = back["l1_max_margin"]
    for name in ("name", "metric", "test_value", "fit_s", "nnz"):
        assert getattr(got, name) == getattr(result, name)
    for name in ("predictions", "coef", "extra"):
        assert _same(getattr(result, name), getattr(got, name)), name


def test_an_unstorable_value_is_refused():
    result = BaselineResult("x", "acc", 1.0, 0.0, extra={"model": object()})
    with pytest.raises(TypeError, match="cannot be stored"):
        encode_baselines({"x": result})
    assert decode_baselines(encode_baselines({})) == {}
