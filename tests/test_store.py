"""The results store: round trips, WAL mode, migration, concurrent writers, bad files."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from grokbench.infra import store as store_module
from grokbench.infra.store import SCHEMA_VERSION, Store
from grokbench.spec import VERDICTS_SCHEMA, ConfigError, Record, RunConfig, Trace, Verdict


def make_trace(config: RunConfig, commit: str = "abc123", status: str = "ok") -> Trace:
    records = [
        Record(
            t=float(i),
            step=i,
            grad_evals=i,
            wall_s=0.01 * i,
            train_loss=1.0 / (i + 1),
            test_loss=2.0 / (i + 1),
            param_norm=10.0,
            train_acc=0.5 + i / 10,
            test_acc=0.5,
            probes={"cos": 0.1 * i},
        )
        for i in range(4)
    ]
    return Trace(
        config=config.to_dict(),
        env={"git_commit": commit, "code_version": commit, "device": "cpu"},
        records=records,
        summary={"t_grok": 2.5},
        status=status,
    )


def make_verdict(claim: str = "K2", status: str = "pass") -> Verdict:
    return Verdict(claim, "sparse-cls", "ci", status, 0.97, 0.95, "2%", 0.02, [0, 1, 2], 1.5)


def test_run_round_trip(tmp_path: Path) -> None:
    config = RunConfig(experiment="sparse-cls", scale="smoke", seed=3, task={"n": 8})
    trace = make_trace(config)
    with Store(tmp_path / "s.sqlite") as store:
        key = store.put_run(config, trace, label="gd")
        assert key == config.key()
        assert store.get_run(key).to_dict() == trace.to_dict()
        assert store.get_run(key, "abc123") is not None
        assert store.get_run(key, "other") is None
        assert store.get_run("nope") is None
        # Same config and code again: replaced, not duplicated; a new code version adds a row.
        store.put_run(config, make_trace(config, status="diverged"), label="gd")
        store.put_run(config, make_trace(config, commit="def456"), label="adamw")
        runs = store.runs()
        assert [(r.code_version, r.status) for r in runs] == [
            ("abc123", "diverged"),
            ("def456", "ok"),
        ]
        assert runs[0].config == json.loads(json.dumps(config.to_dict()))
        assert [r.code_version for r in store.runs(label="adamw")] == ["def456"]
        assert store.get_run(key).env["git_commit"] == "def456"  # newest without a version
        assert store.get_run(key, "abc123").status == "diverged"


def test_verdict_round_trip_latest_set_wins(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        store.put_verdicts("main", [make_verdict(status="fail")], {"git_commit": "a"})
        second = store.put_verdicts("main", [make_verdict().to_dict()], {"git_commit": "b"})
        store.put_verdicts("adamw", [make_verdict("T1")], {})
        assert second > 0
        data = store.get_verdicts("main")
        assert data["schema"] == VERDICTS_SCHEMA
        assert data["env"] == {"git_commit": "b"}
        assert data["verdicts"] == [make_verdict().to_dict()]
        assert store.labels() == ["adamw", "main"]
        with pytest.raises(ConfigError, match=r"no label 'nope'.*adamw, main"):
            store.get_verdicts("nope")
        with pytest.raises(ConfigError, match="status"):
            store.put_verdicts("bad", [{"id": "K1", "status": "maybe"}], {})


def test_wal_mode_and_integrity(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        assert store.integrity_check()
        assert store.schema_version() == SCHEMA_VERSION
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    raw.close()


def test_path_from_env_and_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GROKBENCH_STORE", raising=False)
    with Store() as store:
        assert store.path == Path(".grokbench/results.sqlite")
    assert (tmp_path / ".grokbench" / "results.sqlite").is_file()
    monkeypatch.setenv("GROKBENCH_STORE", str(tmp_path / "elsewhere.sqlite"))
    with Store() as store:
        assert store.path == tmp_path / "elsewhere.sqlite"
    assert (tmp_path / "elsewhere.sqlite").is_file()


def test_failed_write_is_rolled_back(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:

        def half_then_fail(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO verdict_sets (label, env, created, verdicts)"
                " VALUES ('x', '{}', '', '[]')"
            )
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            store._transaction(half_then_fail)
        assert store.labels() == []
        store.put_verdicts("y", [], {})  # the connection is usable afterwards
        assert store.labels() == ["y"]


def test_v1_database_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    store_module.MIGRATIONS[0](db)  # the version-1 schema: no status column, no indexes
    db.execute("PRAGMA user_version = 1")
    trace = make_trace(RunConfig(experiment="sparse-cls"))
    db.execute(
        "INSERT INTO runs (config_hash, code_version, config, trace, env, label, created)"
        " VALUES ('h1', 'c1', '{}', ?, '{}', 'old', '2024-01-01T00:00:00')",
        (zlib.compress(json.dumps(trace.to_dict()).encode()),),
    )
    db.execute(
        "INSERT INTO verdict_sets (label, env, created, verdicts)"
        " VALUES ('old', '{}', '2024-01-01', ?)",
        (json.dumps([make_verdict().to_dict()]),),
    )
    db.commit()
    db.close()
    assert SCHEMA_VERSION >= 2
    with Store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        [run] = store.runs(label="old")
        assert (run.config_hash, run.status) == ("h1", "ok")
        assert store.get_run("h1", "c1").to_dict() == trace.to_dict()
        assert store.get_verdicts("old")["verdicts"][0]["id"] == "K2"
        indexes = {r[1] for r in store.db.execute("PRAGMA index_list(runs)")}
        assert "runs_label" in indexes
        assert store.integrity_check()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(ConfigError, match="newer"):
        Store(path)


@pytest.mark.parametrize(
    "content",
    [b"this is not a database\n" * 200, b"SQLite format 3\x00" + b"\xff" * 4000],
)
def test_malformed_file_is_a_one_line_config_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.sqlite"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        Store(path).runs()
    message = str(caught.value)
    assert str(path) in message and "\n" not in message


def test_unopenable_path_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()
    with pytest.raises(ConfigError, match="adir"):
        Store(tmp_path / "adir")


WORKER = """
import sys, time
from pathlib import Path
from grokbench.spec import Record, RunConfig, Trace
from grokbench.infra.store import Store

path, worker, count, folder = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
(folder / f"ready-{worker}").touch()
while not (folder / "go").exists():
    time.sleep(0.005)
record = Record(t=0.0, step=0, grad_evals=0, wall_s=0.0, train_loss=1.0, test_loss=1.0,
                param_norm=1.0)
with Store(path) as store:  # opened after "go": schema creation races too
    for i in range(count):
        config = RunConfig(experiment="sparse-cls", seed=worker * 1000 + i)
        trace = Trace(config.to_dict(), {"git_commit": "c"}, [record] * 20)
        store.put_run(config, trace, label=f"w{worker}")
"""


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    workers, count = 4, 50
    path = tmp_path / "shared.sqlite"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path), str(w), str(count), str(tmp_path)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(workers)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < workers and time.monotonic() < deadline:
        time.sleep(0.01)
    (tmp_path / "go").touch()
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with Store(path) as store:
        runs = store.runs()
        assert len(runs) == workers * count == 200
        assert len({r.config_hash for r in runs}) == 200
        for w in range(workers):
            assert len(store.runs(label=f"w{w}")) == count
        assert store.integrity_check()
