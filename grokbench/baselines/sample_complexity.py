"""Claim G1: the max-L1-margin classifier needs O(k² log d) samples, the max-L2-margin one O(kd).

A sweep over the training-set size n at fixed d and k = 3 on the sparse-classification data
(x ~ Unif{±1}^d, y = sign⟨w*, x⟩, w* = ±1 on the first k coordinates), fitting only the two
exact baselines (no training). The paper's Theorems E.4 and E.5 give upper bounds on their
test errors; they are reported beside the measured errors (they are loose: often above 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tabulate import tabulate

from grokbench.baselines.compute import score
from grokbench.baselines.linear_margins import L1MaxMarginClassifier, L2MaxMarginClassifier
from grokbench.engine.tasks import sparse_classification
from grokbench.spec import Member

DEFAULT_NS: tuple[int, ...] = (8, 16, 32, 64, 128, 256, 512)


def error_bounds(n: int, d: int, k: int, delta: float = 0.05) -> tuple[float, float]:
    """(L1, L2) test-error upper bounds of Thms E.4 and E.5 with probability 1 − δ."""
    confidence = 3.0 * math.sqrt(math.log(2.0 / delta) / (2.0 * n))
    l1 = 4.0 * k * math.sqrt(2.0 * math.log(2.0 * d) / n) + confidence
    l2 = 4.0 * math.sqrt(k * d / n) + confidence
    return l1, l2


def _errors(n: int, d: int, k: int, n_test: int, seed: int) -> tuple[float, float]:
    data = sparse_classification(n, d, k, n_test, seed)
    x, y = data.x_train.numpy(), data.y_train.numpy()
    x_test, y_test = data.x_test.numpy(), data.y_test.numpy()
    out = []
    for model in (L1MaxMarginClassifier(), L2MaxMarginClassifier()):
        model.fit(x, y)
        out.append(1.0 - score("binary", model.decision_function(x_test), y_test))
    return out[0], out[1]


def sample_complexity(
    ns: Sequence[int] = DEFAULT_NS,
    d: int = 10_000,
    k: int = 3,
    n_test: int = 2000,
    seeds: Sequence[int] = (0, 1, 2),
) -> list[dict[str, Any]]:
    """One row per n: mean and standard deviation over seeds of the L1 and L2 max-margin
    test errors, and the theorems' bounds."""
    if k > d or min(ns) < 1 or not seeds:
        raise ValueError("sample_complexity: need 1 ≤ k ≤ d, n ≥ 1 and at least one seed")
    errors = {n: [_errors(n, d, k, n_test, seed) for seed in seeds] for n in ns}
    return summarise(errors, d, k)


def summarise(errors: dict[int, list[tuple[float, float]]], d: int, k: int) -> list[dict[str, Any]]:
    """One row per n from its (L1 error, L2 error) per seed: means, spreads, the bounds."""
    rows = []
    for n, per_seed in errors.items():
        values = np.array(per_seed)
        l1_bound, l2_bound = error_bounds(n, d, k)
        rows.append(
            {
                "n": n,
                "d": d,
                "k": k,
                "seeds": len(per_seed),
                "l1_error": float(values[:, 0].mean()),
                "l1_error_std": float(values[:, 0].std()),
                "l2_error": float(values[:, 1].mean()),
                "l2_error_std": float(values[:, 1].std()),
                "l1_bound": l1_bound,
                "l2_bound": l2_bound,
            }
        )
    return rows


def sample_rows(members: Sequence[Member]) -> list[dict[str, Any]]:
    """The sweep's rows from a run set whose members are sparse-cls data of several sizes
    n, each with its exact max-L1- and max-L2-margin baselines fitted (nothing trained)."""
    errors: dict[int, list[tuple[float, float]]] = {}
    for member in members:
        fitted = member.baselines
        pair = (1.0 - fitted["l1_max_margin"].test_value, 1.0 - fitted["l2_max_margin"].test_value)
        errors.setdefault(int(member.config.task["n"]), []).append(pair)
    task = members[0].config.task if members else {"d": 0, "k": 0}
    return summarise(dict(sorted(errors.items())), int(task["d"]), int(task["k"]))


def render_table(rows: list[dict[str, Any]]) -> str:
    """The sweep as a github-format table."""
    headers = ["n", "L1 error", "L2 error", "L1 bound (E.4)", "L2 bound (E.5)"]
    body = [
        (
            r["n"],
            f"{r['l1_error']:.3f} ± {r['l1_error_std']:.3f}",
            f"{r['l2_error']:.3f} ± {r['l2_error_std']:.3f}",
            f"{r['l1_bound']:.3g}",
            f"{r['l2_bound']:.3g}",
        )
        for r in rows
    ]
    return tabulate(body, headers=headers, tablefmt="github")


def plot_sample_complexity(rows: list[dict[str, Any]], path: str | Path) -> Path:
    """Test error against n (log scale) for both baselines, with ± std bars, as a PNG (an
    object-oriented Figure: no pyplot state, no change of the session's backend)."""
    from matplotlib.figure import Figure

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ns = [r["n"] for r in rows]
    fig = Figure(figsize=(5.5, 3.8))
    ax = fig.subplots()
    for key, label in (("l1", "max-L1 margin (late phase)"), ("l2", "max-L2 margin (kernel)")):
        means = [r[f"{key}_error"] for r in rows]
        stds = [r[f"{key}_error_std"] for r in rows]
        ax.errorbar(ns, means, yerr=stds, marker="o", capsize=3, label=label)
    ax.axhline(0.5, color="grey", linestyle=":", linewidth=1, label="chance")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("training examples n")
    ax.set_ylabel("test error")
    ax.set_ylim(-0.02, 0.6)
    first = rows[0]
    ax.set_title(f"G1: sample complexity (d = {first['d']}, k = {first['k']})")
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path
