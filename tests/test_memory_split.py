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


def test_a_split_batch_frees_each_seeds_data_before_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At paper scale a seed's data is 8 GB: collecting a run set must not keep it alive
    through its probes once the seed's batch is done (it did: the OOM killer stopped
    misgrok-main at its third seed, 23.7 GB resident), nor through a reference cycle that
    only the garbage collector would free (the solver and its right-hand side: sparse-main
    in one process held all three seeds' 8 GB and was killed), so the collector is off."""
    import gc
    import weakref

    from grokbench.claims.collect import compute_traces
    from grokbench.engine import memory_split
    from grokbench.spec import RunSet

    seen: list[weakref.ref] = []
    alive_at_next: list[bool] = []

    def factory(prepared):  # type: ignore[no-untyped-def]
        alive_at_next.extend(ref() is not None for ref in seen)
        seen.append(weakref.ref(prepared.data))
        return lambda theta: {"n": float(len(prepared.data.y_test))}  # holds the data

    monkeypatch.setattr(memory_split, "available_memory", lambda: 1)
    configs = [make_config("sparse-cls", "smoke", {"seed": s}) for s in (0, 1, 2)]
    run_set = RunSet("split", "sparse-cls", lambda s: [], probes=lambda _: [factory])
    gc.collect()
    gc.disable()
    try:
        traces = compute_traces(run_set, configs, lambda line: None, [{}, {}, {}])
    finally:
        gc.enable()
    assert len(seen) == 3 and all(t.records for t in traces)
    assert alive_at_next == [False, False, False]  # seed 0 at seed 1; seeds 0, 1 at seed 2
