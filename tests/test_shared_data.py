"""A member's dataset is drawn once for its baselines and its run (at paper scale a draw
takes 7–20 s and holds 8 GB), and only inside ``sharing_data``."""

import dataclasses

from grokbench.claims.collect import compute_traces
from grokbench.claims.registry import run_sets
from grokbench.engine import dataset, runner
from grokbench.engine.config import make_config
from grokbench.engine.experiments import get_experiment


def _count_draws(monkeypatch) -> list[int]:
    draws: list[int] = []

    def counted(name: str):
        experiment = get_experiment(name)

        def build_task(sizes, seed):
            draws.append(seed)
            return experiment.build_task(sizes, seed)

        return dataclasses.replace(experiment, build_task=build_task)

    monkeypatch.setattr(runner, "get_experiment", counted)
    return draws


def test_a_members_baselines_and_run_share_one_draw(monkeypatch):
    draws = _count_draws(monkeypatch)
    run_set = run_sets()["sparse-main"]  # baselines: ntk_svm and the two max margins
    config = make_config("sparse-cls", "smoke", {"seed": 3})
    (trace,) = compute_traces(run_set, [config], lambda line: None)
    assert trace.status == "ok" and trace.baselines is not None
    assert draws == [3]


def test_outside_the_block_every_prepare_draws(monkeypatch):
    draws = _count_draws(monkeypatch)
    config = make_config("sparse-cls", "smoke", {"seed": 3})
    runner.prepare(config)
    runner.prepare(config)
    with dataset.sharing_data():
        runner.prepare(config)
        runner.prepare(config)
        runner.prepare(make_config("sparse-cls", "smoke", {"seed": 4}))
        runner.prepare(config)  # one dataset is kept: seed 3 was dropped for seed 4
    assert draws == [3, 3, 3, 4, 3]


def test_a_run_of_another_seed_frees_the_shared_dataset_before_drawing(monkeypatch):
    """The shared dataset is the last member's, drawn for its baselines; a run of another
    seed draws its own, and at paper scale both together are 16 GB."""
    import weakref

    shared: list[weakref.ref] = []
    alive_when_drawing: list[bool] = []

    def counted(name: str):
        experiment = get_experiment(name)

        def build_task(sizes, seed):
            alive_when_drawing.extend(ref() is not None for ref in shared)
            return experiment.build_task(sizes, seed)

        return dataclasses.replace(experiment, build_task=build_task)

    monkeypatch.setattr(runner, "get_experiment", counted)
    settings = {"seed": 3, "test_dtype": "float32"}
    with dataset.sharing_data():
        baselines_data = runner.prepare(make_config("sparse-cls", "smoke", settings)).data
        shared.append(weakref.ref(baselines_data.x_test))
        del baselines_data
        runner.prepare(make_config("sparse-cls", "smoke", {**settings, "seed": 4}), training=True)
    assert alive_when_drawing == [False]
