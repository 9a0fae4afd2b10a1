"""Property-based: any configuration is either a clean run or a clean bad-input exit.

Hypothesis throws random keys and values (valid, out of range, of the wrong type) at the
CLI; every outcome must be exit 0/1 with a trace, or exit 2 with one line and no file —
never a traceback.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grokbench.cli import main

KEYS = [
    "alpha",
    "init_norm",
    "wd",
    "lr",
    "seed",
    "horizon",
    "n",
    "d",
    "k",
    "n_test",
    "depth",
    "labels",
    "evals",
    "dtype",
    "dynamics",
    "integrator",
    "rtol",
    "atol",
    "bogus",
    "opt.momentum",
]
VALUES = st.one_of(
    st.sampled_from(
        [
            "-1",
            "0",
            "nan",
            "inf",
            "abc",
            "",
            "1e400",
            "2.5",
            "3/wd",
            "0.5T",
            "-2/wd",
            "float32",
            "gd",
            "adam",
            "flow",
            "rkc",
            "sparse",
            "dense",
        ]
    ),
    st.integers(min_value=-5, max_value=40).map(str),
    st.floats(min_value=1e-4, max_value=3.0, allow_nan=False).map(lambda v: f"{v:.3g}"),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=4))
def test_random_configurations_run_or_exit_2(tmp_path_factory, capsys, overrides):
    out = tmp_path_factory.mktemp("prop") / "trace.json"
    # keep whatever runs small: a short horizon and few evaluations unless the draw sets them
    settings_ = {"horizon": "2/wd", "evals": "20", **overrides}
    args = ["run", "sparse-cls", "--scale", "smoke", "--out", str(out)]
    for key, value in settings_.items():
        args += ["--set", f"{key}={value}"]
    try:
        code = main(args)
    except SystemExit as stop:  # argparse usage errors
        code = stop.code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if code == 2:
        assert len(captured.err.strip().splitlines()) == 1, captured.err
        assert not out.exists()
    else:
        assert code in (0, 1), (code, captured.err)
        assert json.loads(out.read_text())["schema"] == "grokbench.trace/1"


@pytest.mark.parametrize("pair", ["alpha", "=3", "alpha==3"])
def test_malformed_set_pairs(pair, capsys):
    assert main(["run", "sparse-cls", "--scale", "smoke", "--set", pair]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
