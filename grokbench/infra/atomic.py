"""Reading and writing JSON outputs: atomically (temporary file, then rename), so an
interrupted or failed command never leaves a half-written file behind."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from grokbench.spec import ConfigError


def write_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same directory."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"output: cannot create {path.parent} ({error.strerror})") from None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise ConfigError(f"output: cannot write in {path.parent} ({error.strerror})") from None
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~current_umask())  # mkstemp's 0600 → what open() gives
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def current_umask() -> int:
    """The process umask (read by setting it and putting it back: there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_json(path: str | Path, data: Any) -> Path:
    return write_atomic(path, json.dumps(data, indent=1, default=_plain) + "\n")


def read_json(path: str | Path) -> Any:
    """Load a JSON file; a missing, unreadable or malformed file is a ConfigError."""
    try:
        return json.loads(Path(path).read_text())
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid JSON ({error})") from None


def _plain(value: Any) -> Any:
    """JSON for the few non-JSON values outputs carry (numpy scalars, tensors, paths)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
