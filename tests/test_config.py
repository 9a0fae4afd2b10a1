"""Presets, overrides and validation at the edge."""

import pytest

from grokbench.engine.config import make_config, parse_overrides
from grokbench.engine.experiments import EXPERIMENTS
from grokbench.spec import SCALES, ConfigError, Horizon, RunConfig


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
@pytest.mark.parametrize("scale", SCALES)
def test_every_preset_is_valid(name, scale):
    config = make_config(name, scale)
    assert config.experiment == name and config.scale == scale
    assert (config.alpha is None) != (config.init_norm is None)


def test_overrides_are_typed_and_alpha_replaces_init_norm():
    config = make_config("sparse-cls", "smoke", parse_overrides(["alpha=10", "n=7", "dynamics=gd"]))
    assert config.alpha == 10.0 and config.init_norm is None
    assert config.task["n"] == 7 and isinstance(config.task["n"], int)
    assert config.dynamics == "gd"


def test_optimizer_settings_are_literals():
    config = make_config("sparse-cls", "smoke", {"opt.betas": "(0.9, 0.99)", "opt.foo": "bar"})
    assert config.opt == {"betas": (0.9, 0.99), "foo": "bar"}


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"bogus": "1"}, "bogus"),
        ({"alpha": "-1"}, "alpha"),
        ({"wd": "-0.1"}, "wd"),
        ({"lr": "0"}, "lr"),
        ({"horizon": "0"}, "horizon"),
        ({"horizon": "-3/wd"}, "horizon"),
        ({"n": "2.5"}, "n"),
        ({"k": "5000"}, "k"),
        ({"device": "tpu"}, "device"),
        ({"dtype": "float16"}, "dtype"),
        ({"labels": "noisy"}, "labels"),
        ({"alpha": "nan"}, "alpha"),
        ({"wd": "0", "horizon": "6/wd"}, "horizon"),
    ],
)
def test_bad_values_name_the_field(overrides, field):
    with pytest.raises(ConfigError, match=field):
        make_config("sparse-cls", "smoke", overrides)


def test_unknown_experiment_and_scale():
    with pytest.raises(ConfigError, match="experiment"):
        make_config("nope")
    with pytest.raises(ConfigError, match="scale"):
        make_config("sparse-cls", "huge")
    with pytest.raises(ConfigError, match="key=value"):
        parse_overrides(["alpha"])


def test_horizon_units():
    assert Horizon.parse("6/wd").to_time(alpha=10, wd=0.01) == pytest.approx(600)
    assert Horizon.parse("2T").to_time(alpha=10, wd=0.1) == pytest.approx(20 * 2.302585, rel=1e-6)
    assert Horizon.parse("123").to_time(alpha=10, wd=0.1) == 123


def test_config_round_trips_and_hash_ignores_device():
    config = make_config("matrix-completion", "smoke", {"seed": "3"})
    again = RunConfig.from_dict(config.to_dict())
    assert again == config and again.key() == config.key()
    moved = make_config("matrix-completion", "smoke", {"seed": "3", "device": "auto"})
    assert moved.key() == config.key()
    assert make_config("matrix-completion", "smoke", {"seed": "4"}).key() != config.key()
