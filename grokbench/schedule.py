"""Evaluation times: log-spaced early (memorisation happens at tiny t), linear throughout.

The linear part makes the transition, wherever it falls in [0, t_end], resolved to a
spacing of t_end / n_linear: with the defaults (400 points, horizon λt = 6) that is
0.02 in λt, under 1% of a transition at λt ≈ 3, as the claims require.
"""

from __future__ import annotations

import numpy as np
import torch


def evaluation_times(
    t_end: float, count: int = 400, log_share: float = 0.25, decades: float = 6.0
) -> torch.Tensor:
    """``count`` sorted times in [0, t_end]: ``log_share`` of them log-spaced over
    ``decades`` decades below t_end, the rest evenly spaced; t = 0 and t_end included."""
    if t_end <= 0 or count < 2:
        raise ValueError(f"need t_end > 0 and count ≥ 2, got {t_end}, {count}")
    n_log = max(int(count * log_share), 1)
    n_linear = max(count - n_log, 2)
    early = np.logspace(np.log10(t_end) - decades, np.log10(t_end), n_log)
    linear = np.linspace(0.0, t_end, n_linear)
    times = np.unique(np.concatenate([[0.0], early, linear]))
    return torch.from_numpy(times)
