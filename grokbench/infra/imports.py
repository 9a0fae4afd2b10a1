"""Import paths given on the command line, with one rule for all of them.

``--set model=pkg.mod:factory``, ``--set dynamics=pkg.mod:Class`` and ``--plugin module``
(and the integrator table) go through here: a module is imported as Python would, and
when that fails because its top-level package is nowhere on ``sys.path``, the current
directory is searched too (so ``my_optim.py`` next to where ``grokbench`` runs is found,
as ``python -m`` would find it). An attribute is named ``module:attr`` or ``module.attr``
(the last dot separates it); a dotted ``attr`` after the colon walks nested attributes.
Failures are ConfigErrors of one line that start with ``what`` and name the path.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType
from typing import Any

from grokbench.spec import ConfigError


def _import(name: str) -> ModuleType:
    """``importlib.import_module``, looking in the current directory when it must."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        here = os.getcwd()
        if error.name != name.split(".")[0] or here in sys.path:
            raise
        sys.path.append(here)
        importlib.invalidate_caches()
        return importlib.import_module(name)


def import_module(name: str, what: str) -> ModuleType:
    """The module ``name`` (the current directory searched too); a ConfigError
    ``"{what}: cannot import {name!r} (…)"`` when it cannot be imported."""
    try:
        return _import(name)
    except ImportError as error:
        raise ConfigError(f"{what}: cannot import {name!r} ({error})") from None


def split(path: str) -> tuple[str, str] | None:
    """``module:attr`` or ``module.attr`` as (module, attr); None when ``path`` is neither."""
    module, sep, attr = path.partition(":")
    if not sep:
        module, sep, attr = path.rpartition(".")
    if not sep or not module or not attr:
        return None
    return module, attr


def resolve(path: str, what: str) -> Any:
    """The object at ``path`` (``package.module:name`` or ``package.module.name``); a
    ConfigError naming ``what`` and ``path`` when it is not an import path or not there."""
    parts = split(path)
    if parts is None:
        raise ConfigError(f"{what}: {path!r} is not an import path package.module:name")
    module_name, attr = parts
    try:
        found: Any = _import(module_name)
        for name in attr.split("."):
            found = getattr(found, name)
    except (ImportError, AttributeError) as error:
        raise ConfigError(f"{what}: cannot import {path!r} ({error})") from None
    return found
