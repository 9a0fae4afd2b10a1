"""The G1 sweep: L1 max margin generalises from far fewer samples than L2 when n ≪ d."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from grokbench.baselines.sample_complexity import (
    error_bounds,
    plot_sample_complexity,
    render_table,
    sample_complexity,
)


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return sample_complexity(ns=(8, 128), d=1000, k=3, n_test=500, seeds=(0, 1))


def test_l1_beats_l2_when_n_is_much_smaller_than_d(rows: list[dict]) -> None:
    small, large = rows
    assert (small["n"], large["n"]) == (8, 128)
    assert large["l1_error"] < 0.05
    assert large["l2_error"] > 0.3
    assert large["l1_error"] < large["l2_error"] - 0.25
    assert small["l1_error"] > 0.2  # 8 samples are too few for either
    assert all(row["seeds"] == 2 and row["d"] == 1000 for row in rows)


def test_bounds_follow_the_theorems() -> None:
    l1, l2 = error_bounds(n=100, d=1000, k=3, delta=0.05)
    confidence = 3 * math.sqrt(math.log(40) / 200)
    assert l1 == pytest.approx(12 * math.sqrt(2 * math.log(2000) / 100) + confidence)
    assert l2 == pytest.approx(4 * math.sqrt(30) + confidence)


def test_table_and_plot(rows: list[dict], tmp_path: Path) -> None:
    table = render_table(rows)
    assert table.count("\n") == 3 and "L1 error" in table and "128" in table
    path = plot_sample_complexity(rows, tmp_path / "plots" / "g1.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 5000


def test_bad_sweep_is_rejected() -> None:
    with pytest.raises(ValueError):
        sample_complexity(ns=(8,), d=2, k=3)
