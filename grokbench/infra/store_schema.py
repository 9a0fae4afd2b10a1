"""The results store's schema: one migration per version, applied in order through
``PRAGMA user_version`` (``grokbench.infra.store.Store`` runs them when it opens a file)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


def _v0_to_v1(db: sqlite3.Connection) -> None:
    """The first schema: runs (trace content zlib-compressed JSON) and verdict sets."""
    db.execute(
        "CREATE TABLE runs (id INTEGER PRIMARY KEY, config_hash TEXT NOT NULL,"
        " code_version TEXT NOT NULL, config TEXT NOT NULL, trace BLOB NOT NULL,"
        " env TEXT NOT NULL, label TEXT, created TEXT NOT NULL,"
        " UNIQUE (config_hash, code_version))"
    )
    db.execute(
        "CREATE TABLE verdict_sets (id INTEGER PRIMARY KEY, label TEXT NOT NULL,"
        " env TEXT NOT NULL, created TEXT NOT NULL, verdicts TEXT NOT NULL)"
    )


def _v1_to_v2(db: sqlite3.Connection) -> None:
    """Version 2: a run status (ok, diverged, interrupted) and indexes on labels."""
    db.execute("ALTER TABLE runs ADD COLUMN status TEXT NOT NULL DEFAULT 'ok'")
    db.execute("CREATE INDEX runs_label ON runs (label)")
    db.execute("CREATE INDEX verdict_sets_label ON verdict_sets (label, created)")


def _v2_to_v3(db: sqlite3.Connection) -> None:
    """Version 3: the baselines a run set's members were compared with, by run key."""
    db.execute(
        "CREATE TABLE baselines (id INTEGER PRIMARY KEY, run_key TEXT NOT NULL,"
        " code_version TEXT NOT NULL, content BLOB NOT NULL, created TEXT NOT NULL,"
        " UNIQUE (run_key, code_version))"
    )


#: ``MIGRATIONS[n]`` takes a database at schema version n to n + 1 (append, never edit).
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v0_to_v1, _v1_to_v2, _v2_to_v3]
SCHEMA_VERSION = len(MIGRATIONS)
