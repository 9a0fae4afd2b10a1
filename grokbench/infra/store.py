"""The results store: runs, their baselines and verdict sets in one SQLite file (stdlib
sqlite3, WAL mode).

Runs are keyed by (config hash, code version), so a sweep can skip what is already done
and ``grokbench compare`` can read a labelled verdict set back. Every write is one
transaction; concurrent writers wait on a busy timeout and retry, so none loses a row.
The schema is versioned through ``PRAGMA user_version`` with one migration per step.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from grokbench.infra.store_schema import MIGRATIONS, SCHEMA_VERSION
from grokbench.spec import (
    VERDICTS_SCHEMA,
    BaselineResult,
    ConfigError,
    RunConfig,
    Trace,
    Verdict,
)

DEFAULT_PATH = Path(".grokbench") / "results.sqlite"
ENV_VAR = "GROKBENCH_STORE"
BUSY_TIMEOUT_S = 60.0

T = TypeVar("T")


@dataclass(frozen=True)
class RunInfo:
    """One stored run without its trace (``Store.get_run`` loads that)."""

    config_hash: str
    code_version: str
    label: str | None
    status: str
    created: str
    config: dict[str, Any]
    env: dict[str, Any]


def default_path() -> Path:
    """``$GROKBENCH_STORE`` when set, else ``.grokbench/results.sqlite``."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def _dumps(value: Any) -> str:
    """JSON text; numpy scalars and tensors become numbers or lists, anything else a string."""
    return json.dumps(value, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


class Store:
    """A results store at ``path`` (default: ``$GROKBENCH_STORE`` or
    ``.grokbench/results.sqlite``), created and migrated on open.

    An unreadable or malformed file raises ConfigError with one line naming it.
    """

    def __init__(self, path: str | Path | None = None, timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.timeout = timeout
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigError(f"store {self.path}: cannot create its folder ({error})") from None
        self._db: sqlite3.Connection | None = None
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as error:
            raise ConfigError(f"store {self.path}: cannot open ({error})") from None
        try:
            self._guard(lambda: self._retry(self._setup))
        except BaseException:
            self.close()
            raise

    # -- connection plumbing ---------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise ConfigError(f"store {self.path}: already closed")
        return self._db

    def _setup(self) -> None:
        """WAL mode, a busy timeout, then migrations up to SCHEMA_VERSION in one transaction."""
        self.db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        mode = self.db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise ConfigError(f"store {self.path}: cannot switch to WAL mode (got {mode})")
        self.db.execute("PRAGMA synchronous = NORMAL")
        if self._version() < SCHEMA_VERSION:
            self._write(self._migrate)
        elif self._version() > SCHEMA_VERSION:
            raise ConfigError(
                f"store {self.path}: schema version {self._version()} is newer than this "
                f"grokbench's {SCHEMA_VERSION}; upgrade grokbench"
            )

    def _version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = self._version()  # re-read under the write lock: another process may have won
        for step in MIGRATIONS[version:]:
            step(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _retry(self, action: Callable[[], T]) -> T:
        """Run ``action``, retrying with jittered backoff while the database is locked."""
        deadline = time.monotonic() + self.timeout
        delay = 0.005
        while True:
            try:
                return action()
            except sqlite3.OperationalError as error:
                if not _is_busy(error) or time.monotonic() > deadline:
                    raise
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.25)

    def _guard(self, action: Callable[[], T]) -> T:
        """Turn any SQLite failure into a one-line ConfigError naming the file."""
        try:
            return action()
        except sqlite3.OperationalError as error:
            if _is_busy(error):
                raise ConfigError(
                    f"store {self.path}: still locked by another writer after {self.timeout:g} s"
                ) from None
            raise ConfigError(f"store {self.path}: not a usable results store ({error})") from None
        except sqlite3.Error as error:
            raise ConfigError(f"store {self.path}: not a usable results store ({error})") from None

    def _write(self, body: Callable[[sqlite3.Connection], T]) -> T:
        """``body`` inside BEGIN IMMEDIATE … COMMIT; rolled back on any exception."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            result = body(self.db)
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        return result

    def _transaction(self, body: Callable[[sqlite3.Connection], T]) -> T:
        return self._guard(lambda: self._retry(lambda: self._write(body)))

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._guard(lambda: self._retry(lambda: self.db.execute(sql, params).fetchall()))

    # -- runs ------------------------------------------------------------------------

    def put_run(
        self,
        config: RunConfig,
        trace: Trace,
        label: str | None = None,
        code_version: str | None = None,
        key: str | None = None,
    ) -> str:
        """Store a run's trace (replacing one with the same config and code); return its hash.

        The code version is ``code_version``, else the trace's ``env["code_version"]`` (where
        it was computed), else grokbench's own (``envinfo.code_version``).
        ``key`` replaces the config hash (runs recorded with a run set's probes are stored
        under the hash and the run set's name: ``scaleout.units.store_key``).
        """
        if code_version is None:
            code_version = trace.env.get("code_version") or _current_commit()
        key = key or config.key()
        row = (
            key,
            code_version,
            _dumps(config.to_dict()),
            zlib.compress(_dumps(trace.to_dict()).encode()),
            _dumps(trace.env),
            label,
            trace.status,
            _now(),
        )
        self._transaction(
            lambda db: db.execute(
                "INSERT INTO runs (config_hash, code_version, config, trace, env, label,"
                " status, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (config_hash, code_version) DO UPDATE SET config = excluded.config,"
                " trace = excluded.trace, env = excluded.env, label = excluded.label,"
                " status = excluded.status, created = excluded.created",
                row,
            )
        )
        return key

    def get_run(self, config_hash: str, code_version: str | None = None) -> Trace | None:
        """The trace stored for a config hash (the newest one when no code version is given)."""
        sql = "SELECT trace FROM runs WHERE config_hash = ?"
        params: list[Any] = [config_hash]
        if code_version is not None:
            sql += " AND code_version = ?"
            params.append(code_version)
        rows = self._read(sql + " ORDER BY created DESC, id DESC LIMIT 1", params)
        if not rows:
            return None
        try:
            return Trace.from_dict(json.loads(zlib.decompress(rows[0][0])))
        except (zlib.error, ValueError, KeyError, TypeError) as error:
            raise ConfigError(
                f"store {self.path}: run {config_hash} has an unreadable trace ({error})"
            ) from None

    def put_failure(
        self,
        config: RunConfig,
        error: str,
        label: str | None = None,
        code_version: str | None = None,
        env: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> str:
        """Record a run that raised instead of finishing: status ``failed``, the error as
        its reason, no records. A sweep retries failed runs; a later success replaces it."""
        trace = Trace(config=config.to_dict(), env=dict(env or {}), status="failed", reason=error)
        return self.put_run(config, trace, label, code_version, key)

    def put_baselines(
        self, run_key: str, code_version: str, results: dict[str, BaselineResult]
    ) -> None:
        """Keep the baselines fitted for the run stored under ``run_key`` (replacing any)."""
        from grokbench.infra.baseline_codec import encode_baselines  # numpy: when used

        content = zlib.compress(_dumps(encode_baselines(results)).encode())
        self._transaction(
            lambda db: db.execute(
                "INSERT INTO baselines (run_key, code_version, content, created)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (run_key, code_version) DO UPDATE SET"
                " content = excluded.content, created = excluded.created",
                (run_key, code_version, content, _now()),
            )
        )

    def get_baselines(self, run_key: str, code_version: str) -> dict[str, BaselineResult] | None:
        """The baselines kept for ``run_key`` under ``code_version``; None if there are none."""
        from grokbench.infra.baseline_codec import decode_baselines

        sql = "SELECT content FROM baselines WHERE run_key = ? AND code_version = ?"
        rows = self._read(sql, (run_key, code_version))
        if not rows:
            return None
        try:
            return decode_baselines(json.loads(zlib.decompress(rows[0][0])))
        except (zlib.error, ValueError, KeyError, TypeError) as error:
            raise ConfigError(
                f"store {self.path}: the baselines of {run_key} are unreadable ({error})"
            ) from None

    def statuses(self, code_version: str) -> dict[str, str]:
        """``{config hash: status}`` of every run stored with this code version (one query,
        so a sweep of thousands of runs checks what is done without loading traces)."""
        sql = "SELECT config_hash, status FROM runs WHERE code_version = ?"
        return {h: status for h, status in self._read(sql, (code_version,))}

    def runs(self, label: str | None = None) -> list[RunInfo]:
        """Every stored run (or those with ``label``), oldest first, without traces."""
        sql = "SELECT config_hash, code_version, label, status, created, config, env FROM runs"
        params: tuple[Any, ...] = ()
        if label is not None:
            sql, params = sql + " WHERE label = ?", (label,)
        rows = self._read(sql + " ORDER BY created, id", params)
        return [
            RunInfo(h, v, lab, status, created, json.loads(config), json.loads(env))
            for h, v, lab, status, created, config, env in rows
        ]

    # -- verdicts --------------------------------------------------------------------

    def put_verdicts(
        self,
        label: str,
        verdicts: Sequence[Verdict] | Sequence[dict[str, Any]],
        env: dict[str, Any],
    ) -> int:
        """Save a verdict set under ``label``; return its row id. Later sets shadow earlier."""
        if not label:
            raise ConfigError("store: a verdict set needs a non-empty label")
        rows = [v.to_dict() if isinstance(v, Verdict) else dict(v) for v in verdicts]
        for row in rows:
            if "id" not in row or row.get("status") not in ("pass", "fail", "inconclusive"):
                raise ConfigError(f"store: verdict {row.get('id')!r} lacks an id or a status")
        values = (label, _dumps(env), _now(), _dumps(rows))
        sql = "INSERT INTO verdict_sets (label, env, created, verdicts) VALUES (?, ?, ?, ?)"
        return self._transaction(lambda db: int(db.execute(sql, values).lastrowid or 0))

    def get_verdicts(self, label: str) -> dict[str, Any]:
        """The newest verdict set under ``label``, shaped like a verdict JSON file."""
        rows = self._read(
            "SELECT env, verdicts FROM verdict_sets WHERE label = ?"
            " ORDER BY created DESC, id DESC LIMIT 1",
            (label,),
        )
        if not rows:
            known = ", ".join(self.labels()) or "none"
            raise ConfigError(f"store {self.path}: no label {label!r} (labels: {known})")
        try:
            env, verdicts = json.loads(rows[0][0]), json.loads(rows[0][1])
        except ValueError as error:
            raise ConfigError(
                f"store {self.path}: label {label!r} is unreadable ({error})"
            ) from None
        return {"schema": VERDICTS_SCHEMA, "env": env, "verdicts": verdicts}

    def labels(self) -> list[str]:
        """The labels of the saved verdict sets, sorted."""
        return [r[0] for r in self._read("SELECT DISTINCT label FROM verdict_sets ORDER BY label")]

    # -- housekeeping ----------------------------------------------------------------

    def schema_version(self) -> int:
        """The schema version of the open file (SCHEMA_VERSION after opening)."""
        return self._guard(self._version)

    def integrity_check(self) -> bool:
        """SQLite's full integrity check: True when the file is sound."""
        return [r[0] for r in self._read("PRAGMA integrity_check")] == ["ok"]

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"


def _current_commit() -> str:
    """grokbench's code version, imported late so that opening a store stays cheap."""
    from grokbench.infra.environment import code_version

    return code_version()
