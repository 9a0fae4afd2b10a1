"""A module imported on first use, so that light data (the experiment tables, the settings)
can be read without importing torch: ``grokbench --help`` lists them in a fraction of the
time torch takes to import."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for the module ``name`` and imports it on the first attribute access."""

    def __init__(self, name: str) -> None:
        self._name = name

    def _module(self) -> ModuleType:
        return importlib.import_module(self._name)

    def __getattr__(self, attr: str) -> Any:
        if attr == "_name":  # not set yet (copy and pickle make bare instances): no module
            raise AttributeError(attr)
        return getattr(self._module(), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"
