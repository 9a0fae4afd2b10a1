"""A batch splits by seed only when its seeds' datasets exceed the memory budget."""

import pytest

from grokbench.engine.config import make_config
from grokbench.engine.memory_split import dataset_bytes, split_by_seed


def test_split_by_seed_under_and_over_budget() -> None:
    configs = [make_config("sparse-cls", "ci", {"seed": s, "wd": wd})
               for s in (0, 1) for wd in (0.01, 0.02)]  # fmt: skip
    one = dataset_bytes(configs[0])
    assert one == (128 + 1000) * 2000 * 8
    batch = [0, 1, 2, 3]
    assert split_by_seed(configs, batch, available=4 * one) == [batch]
    assert split_by_seed(configs, batch, available=3 * one) == [[0, 1], [2, 3]]
    assert split_by_seed(configs, [0, 1], available=1) == [[0, 1]]  # one seed: never split


def test_unknown_sizes_never_split() -> None:
    configs = [make_config("matrix-completion", "ci", {"seed": s}) for s in (0, 1)]
    assert dataset_bytes(configs[0]) == 0
    assert split_by_seed(configs, [0, 1], available=1) == [[0, 1]]


def test_split_batch_gives_the_records_of_one_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    from grokbench.engine import batch_run, memory_split

    configs = [make_config("sparse-cls", "smoke", {"seed": s}) for s in (0, 1)]
    together = batch_run.run_batch(configs, warn=False)
    monkeypatch.setattr(memory_split, "available_memory", lambda: 1)
    assert memory_split.split_by_seed(configs, [0, 1]) == [[0], [1]]
    split = batch_run.run_batch(configs, warn=False)
    for a, b in zip(together, split, strict=True):
        assert len(a.records) == len(b.records)
        for ra, rb in zip(a.records, b.records, strict=True):
            assert abs(ra.test_loss - rb.test_loss) <= 1e-10 * abs(ra.test_loss)
            assert abs(ra.param_norm - rb.param_norm) <= 1e-10 * ra.param_norm
