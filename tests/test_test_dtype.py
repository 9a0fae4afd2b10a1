"""``test_dtype``: a run keeps and evaluates its test inputs in a lower precision (paper
scale: 8 → 4 GB a member, the evaluations twice as fast), while the training data, the
dynamics and the scores keep the run's own; baselines keep the data's precision."""

import gc
import weakref

import pytest
import torch

from grokbench.engine import batch_run, dataset, fixed_point, runner
from grokbench.engine.config import make_config
from grokbench.engine.objective import test_outputs as outputs_on_test
from grokbench.engine.probes import baseline_agreement

SETTINGS = {"seed": 0, "evals": 20}


def _dtype_spy(seen: list[torch.dtype]):  # type: ignore[no-untyped-def]
    def factory(prepared):  # type: ignore[no-untyped-def]
        seen.append(prepared.data.x_test.dtype)
        return lambda theta: {}

    return factory


@pytest.mark.parametrize("experiment", ["sparse-cls", "misgrok"])
def test_float32_test_inputs_change_only_the_test_numbers_by_rounding(experiment: str) -> None:
    full = runner.run(make_config(experiment, "smoke", SETTINGS))
    seen: list[torch.dtype] = []
    config = make_config(experiment, "smoke", {**SETTINGS, "test_dtype": "float32"})
    low = runner.run(config, probes=[_dtype_spy(seen)])
    assert seen == [torch.float32]  # the run really evaluated float32 test inputs
    n_test = len(runner.prepare(config).data.y_test)
    assert len(full.records) == len(low.records) > 3
    for a, b in zip(full.records, low.records, strict=True):
        train = (a.train_loss, a.param_norm, a.train_margin)
        assert train == (b.train_loss, b.param_norm, b.train_margin)
        assert abs(a.test_loss - b.test_loss) <= 1e-5 * abs(a.test_loss)
        assert abs(a.test_acc - b.test_acc) <= 2 / n_test  # a point on the boundary may flip
        assert isinstance(b.test_loss, float)


def test_deferred_float32_evaluation_records_what_immediate_float32_evaluation_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = make_config("misgrok", "smoke", {**SETTINGS, "test_dtype": "float32"})
    labels = torch.zeros(len(runner.prepare(config).data.y_test), dtype=torch.float64)
    probes = [baseline_agreement({"zero": labels.numpy()})]
    immediate = runner.run(config, probes=probes)
    monkeypatch.setattr(runner, "DEFERRED_MIN_NUMBERS", 0)
    monkeypatch.setattr(runner, "DEFERRED_STATES", 3)
    deferred = runner.run(config, probes=probes)
    for a, b in zip(immediate.records, deferred.records, strict=True):
        assert abs(a.test_loss - b.test_loss) <= 1e-6 * abs(a.test_loss)
        # a matrix product against a matrix-vector one: float32 sums in another order may
        # move one boundary point on some CPU, never more
        assert abs(a.test_acc - b.test_acc) <= 1 / len(labels)
        assert a.probes.keys() == b.probes.keys()
        assert all(abs(a.probes[k] - b.probes[k]) <= 1 / len(labels) for k in a.probes)


def test_a_batch_with_float32_test_inputs_records_what_its_members_do_alone() -> None:
    configs = [
        make_config("sparse-cls", "smoke", {**SETTINGS, "seed": s, "test_dtype": "float32"})
        for s in (0, 1)
    ]
    together = batch_run.run_batch(configs, warn=False)
    for config, trace in zip(configs, together, strict=True):
        alone = runner.run(config)
        for a, b in zip(alone.records, trace.records, strict=True):
            assert abs(a.test_loss - b.test_loss) <= 1e-6 * abs(a.test_loss)
            assert abs(a.train_loss - b.train_loss) <= 1e-9 * abs(a.train_loss)


def test_a_run_lowers_the_test_inputs_its_baselines_read_in_their_own_memory() -> None:
    config = make_config("sparse-cls", "smoke", {"seed": 2, "test_dtype": "float32"})
    with dataset.sharing_data():
        for_baselines = runner.prepare(config)  # what run_baselines reads
        assert for_baselines.data.x_test.dtype == torch.float64
        expected = for_baselines.data.x_test.to(torch.float32)
        memory = for_baselines.data.x_test.untyped_storage().data_ptr()
        full = weakref.ref(for_baselines.data.x_test)
        del for_baselines
        for_run = runner.prepare(config, training=True)
        gc.collect()
        lowered = for_run.data.x_test
        assert lowered.dtype == torch.float32 and torch.equal(lowered, expected)
        # 8 GB at paper scale: overwritten, never held beside its 4 GB float32 copy
        assert lowered.untyped_storage().data_ptr() == memory and full() is None
        again = runner.prepare(config, training=True)
        assert again.data.x_test is lowered  # shared, not lowered twice


@pytest.mark.parametrize("shape", [(10, 7), (1, 7), (33,), (5, 2, 3)])
def test_overwriting_converts_every_block_before_its_bytes_are_reused(
    shape: tuple[int, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dataset, "OVERWRITE_CHUNK_BYTES", 8 * 7 * 3)  # blocks of a few rows
    x = torch.randn(*shape, dtype=torch.float64)
    expected, memory = x.to(torch.float32), x.untyped_storage().data_ptr()
    lowered = dataset.overwrite_as(x, torch.float32)
    assert torch.equal(lowered, expected) and lowered.untyped_storage().data_ptr() == memory
    wider = dataset.overwrite_as(expected, torch.float64)  # no room in place: a copy
    assert torch.equal(wider, expected.double()) and wider.data_ptr() != expected.data_ptr()


def test_the_setting_is_checked_and_leaves_other_hashes_alone() -> None:
    plain = make_config("sparse-cls", "ci")
    assert "test_dtype" not in plain.to_dict()  # stored runs keep their keys
    low = make_config("sparse-cls", "ci", {"test_dtype": "float32"})
    assert low.to_dict()["test_dtype"] == "float32" and low.key() != plain.key()
    from grokbench.spec import ConfigError

    with pytest.raises(ConfigError, match="test_dtype"):
        make_config("sparse-cls", "ci", {"test_dtype": "float16"})


def test_a_lowered_evaluation_flushes_denormals_and_leaves_the_mode_off() -> None:
    if not torch.set_flush_denormal(False):  # off, as by default; False: no such mode here
        pytest.skip("this CPU has no flush-to-zero mode")
    seen: list[float] = []

    def function(theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        seen.append(float(theta[0] * theta[0]))  # 1e-40 is a float32 denormal
        return x @ theta

    x = torch.ones(2, 1, dtype=torch.float32)
    out = outputs_on_test(function, torch.tensor([1e-20], dtype=torch.float64), x)
    assert seen == [0.0] and out.dtype == torch.float64
    tiny = torch.tensor(1e-20, dtype=torch.float32)
    assert float(tiny * tiny) > 0  # the process's own mode again: denormals kept


def test_the_diagonal_net_lowers_its_weights_not_u_and_v() -> None:
    """At α = 10⁴, u² and v² agree in more digits than float32 holds: lowering u and v
    before forming w = u² − v² loses w, forming w in float64 and lowering only w for the
    product with the float32 inputs keeps the outputs to float32's rounding."""
    config = make_config("sparse-cls", "smoke", {**SETTINGS, "test_dtype": "float32"})
    prepared = runner.prepare(config, training=True)
    assert prepared.data.x_test.dtype == torch.float32
    assert runner.objective_of(prepared).mixed  # the runs take the mixed path
    x_low = prepared.data.x_test
    x_full = x_low.double()  # ±1 inputs: exact in both precisions
    generator = torch.Generator().manual_seed(0)
    theta = 1e4 + 1e-3 * torch.randn(prepared.flat.size, generator=generator, dtype=torch.float64)
    exact = outputs_on_test(prepared.flat.function, theta, x_full)
    scale = float(exact.abs().max())
    mixed = outputs_on_test(prepared.flat.function, theta, x_low, mixed=True)
    lowered = outputs_on_test(prepared.flat.function, theta, x_low, mixed=False)
    assert mixed.dtype == lowered.dtype == torch.float64
    assert float((mixed - exact).abs().max()) <= 1e-5 * scale
    assert float((lowered - exact).abs().max()) >= 0.1 * scale


@pytest.mark.skipif(not fixed_point.available(), reason="no CPU int8 products in this torch")
def test_int8_test_inputs_move_only_the_test_numbers_by_the_fixed_points_rounding() -> None:
    """±1 test sets kept as int8 (``fixed_point``: w within 2⁻³⁰ of its largest entry): a
    batched run's training numbers equal its float64 twin's, its test loss within 1e-8
    (eng.: float32's tolerance above is 1e-5), its accuracy to a point on the boundary."""
    plain = make_config("sparse-cls", "smoke", SETTINGS)
    config = make_config("sparse-cls", "smoke", {**SETTINGS, "test_dtype": "int8"})
    seen: list[torch.dtype] = []
    low = batch_run.run_batch([config], warn=False, probes=[_dtype_spy(seen)])[0]
    full = batch_run._run_together([plain], None, ())[0]  # the same batched path in float64
    assert seen == [torch.int8]
    n_test = len(runner.prepare(config).data.y_test)
    assert len(full.records) == len(low.records) > 3
    for a, b in zip(full.records, low.records, strict=True):
        assert (a.train_loss, a.param_norm) == (b.train_loss, b.param_norm)
        assert abs(a.test_loss - b.test_loss) <= 1e-8 * abs(a.test_loss)
        assert abs(a.test_acc - b.test_acc) <= 2 / n_test


def test_the_diagonal_net_multiplies_int8_test_inputs_in_fixed_point() -> None:
    """What a probe that computes its own test outputs gets (``baseline_agreement``)."""
    prepared = runner.prepare(make_config("sparse-cls", "smoke", {"seed": 1}))
    x = prepared.data.x_test
    theta = prepared.theta0 * (1 + 0.01 * torch.rand_like(prepared.theta0))
    exact = outputs_on_test(prepared.flat.function, theta, x, mixed=True)
    signs = x.to(torch.int8)
    low = outputs_on_test(prepared.flat.function, theta, signs, mixed=True)
    w = prepared.flat.unflatten(theta)
    largest = (w["u"] ** 2 - w["v"] ** 2).abs().max()
    assert low.dtype == torch.float64
    assert ((low - exact).abs() <= x.shape[1] * 2.0**-30 * largest).all()


def test_int8_test_inputs_take_only_signs_and_the_batched_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from grokbench.spec import ConfigError

    with pytest.raises(ConfigError, match="test_dtype int8: the test inputs are not all ±1"):
        runner.prepare(make_config("misgrok", "smoke", {"test_dtype": "int8"}), training=True)
    config = make_config("sparse-cls", "smoke", {**SETTINGS, "test_dtype": "int8"})
    with pytest.raises(ConfigError, match="test_dtype int8"):
        runner.run(config)  # its vmapped evaluation cannot take fixed-point products
    monkeypatch.setattr(dataset.fixed_point, "available", lambda: False)
    assert runner.prepare(config, training=True).data.x_test.dtype == torch.float32


def test_the_paper_presets_keep_sign_test_sets_in_int8_and_gaussian_ones_in_float32() -> None:
    assert make_config("sparse-cls", "paper").test_dtype == "int8"
    assert make_config("control-dense", "paper").test_dtype == "int8"
    assert make_config("misgrok", "paper").test_dtype == "float32"
    assert make_config("sparse-cls-nowd", "paper").test_dtype == "float32"  # not batched
