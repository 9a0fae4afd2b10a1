"""Claims: the catalogue of loaded packs, the pipeline that judges them, reports, comparison.

The public names are importable from here (``grokbench.claims.add_claim``); each is
imported on first use, so that ``import grokbench.claims`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "add_claim": "grokbench.claims.registry",
    "catalogue": "grokbench.claims.registry",
    "evaluate": "grokbench.claims.evaluate",
    "select": "grokbench.claims.evaluate",
    "Evaluation": "grokbench.claims.evaluate",
    "Bound": "grokbench.claims.checks",
    "Inconclusive": "grokbench.claims.checks",
    "at_least": "grokbench.claims.checks",
    "at_most": "grokbench.claims.checks",
    "judge": "grokbench.claims.checks",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'grokbench.claims' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)
