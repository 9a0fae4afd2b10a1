"""The package's imports point down its layers and form no cycle (README, Architecture)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("layout", ROOT / "benchmarks" / "layout.py")
assert _spec is not None and _spec.loader is not None
layout = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(layout)


def test_no_import_cycles_and_no_upward_imports():
    _, by_scope = layout.graphs(ROOT / "grokbench")
    graph = by_scope[False]  # imports inside functions count too
    assert layout.cycles(graph) == []
    assert layout.upward(graph) == []


def test_the_checker_sees_a_cycle_and_an_upward_import():
    graph = {
        "grokbench.engine.a": {"grokbench.engine.b"},
        "grokbench.engine.b": {"grokbench.engine.a", "grokbench.claims.c"},
        "grokbench.claims.c": set(),
    }
    assert layout.cycles(graph) == [["grokbench.engine.a", "grokbench.engine.b"]]
    assert layout.upward(graph) == [("grokbench.engine.b", "grokbench.claims.c")]
