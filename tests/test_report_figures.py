"""The report's plots are matplotlib Figures that a notebook can show, built without
pyplot: importing grokbench.claims.report leaves the session's backend alone."""

import os
import subprocess
import sys

from matplotlib.figure import Figure

from grokbench.claims.figures import curves_figure, grok_times_figure, norm_decay_figure
from grokbench.claims.registry import catalogue


def test_importing_the_report_keeps_the_backend():
    code = "import matplotlib, grokbench.claims.report; print(matplotlib.get_backend())"
    env = {**os.environ, "MPLBACKEND": "svg"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().lower() == "svg"


def test_plot_functions_return_figures(tmp_path):
    sweep = catalogue().cases["lyu24/T1"].true()  # synthetic α sweep (grokbench.claims.power)
    for figure in (curves_figure(sweep, "T1"), norm_decay_figure(sweep), grok_times_figure(sweep)):
        assert isinstance(figure, Figure) and figure.axes and figure.axes[0].has_data()
    curves_figure(sweep, "T1").savefig(tmp_path / "t1.png")
    assert (tmp_path / "t1.png").stat().st_size > 1000


def test_a_failed_run_without_summary_is_drawn_not_a_crash():
    """A run stored as failed (an exception in a worker) has no summary: the report's
    curves still draw the others and label it from its config (was a KeyError)."""
    import dataclasses

    sweep = catalogue().cases["lyu24/T1"].true()
    failed = dataclasses.replace(sweep[0], trace=dataclasses.replace(sweep[0].trace, summary={}))
    figure = curves_figure([failed, *sweep[1:]], "T1")
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert len(labels) == len(sweep) and all("α=" in label for label in labels)
