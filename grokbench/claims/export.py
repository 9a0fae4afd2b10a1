"""Tidy tables from the results store, so that pandas reads each with one ``read_csv``.

runs (one row per run: hash, label, status, config keys, summary numbers), records (one row
per evaluation record, probes as columns), verdicts (one row per verdict) and
verdict_values (the measured values in long form: label, id, key, value).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path
from typing import Any

from grokbench.claims.compare import numbers
from grokbench.infra.atomic import write_atomic
from grokbench.infra.store import Store
from grokbench.spec import ConfigError

TABLES = ("runs", "records", "verdicts", "verdict_values")
FORMATS = ("csv", "parquet")


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts to one level; a nested key keeps its own name unless that collides,
    then it is dotted (``opt.lr``). Lists and other values become JSON text."""
    flat: dict[str, Any] = {}
    nested: list[tuple[str, str, Any]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            for sub, leaf in flatten(value).items():
                nested.append((sub, f"{key}.{sub}", leaf))
        else:
            flat[prefix + key] = _scalar(value)
    counts: dict[str, int] = {}
    for sub, _, _ in nested:
        counts[sub] = counts.get(sub, 0) + 1
    for sub, dotted, leaf in nested:
        name = sub if counts[sub] == 1 and sub not in flat else dotted
        flat[prefix + name] = leaf
    return flat


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, default=str)


def tables(store: Store, label: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """The four tables as lists of row dicts (runs of ``label`` and its verdict set only,
    when given)."""
    runs, records = [], []
    for info in store.runs(label):
        trace = store.get_run(info.config_hash, info.code_version)
        summary = trace.summary if trace is not None else {}
        row = {"hash": info.config_hash, "label": info.label, "status": info.status,
               "code_version": info.code_version, "created": info.created}  # fmt: skip
        row.update(
            {k if k not in row else f"config.{k}": v for k, v in flatten(info.config).items()}
        )
        row.update({f"summary.{k}": _scalar(v) for k, v in flatten(summary).items()})
        row["env.device"] = info.env.get("device")
        runs.append(row)
        for record in trace.records if trace is not None else []:
            data = record.to_dict()
            probes = data.pop("probes", {})
            records.append({"hash": info.config_hash, "code_version": info.code_version,
                            **data, **{f"probe.{k}": v for k, v in probes.items()}})  # fmt: skip
    verdicts, values = [], []
    for name in [label] if label is not None else store.labels():
        if label is not None and name not in store.labels():
            continue
        for v in store.get_verdicts(name)["verdicts"]:
            verdicts.append(
                {
                    "label": name,
                    "id": v["id"],
                    "status": v["status"],
                    "margin": v.get("margin"),
                    "scale": v.get("scale"),
                    "experiment": v.get("experiment"),
                    "wall_s": v.get("wall_s"),
                }
            )
            for key, value in numbers(v.get("measured")).items():
                values.append({"label": name, "id": v["id"], "key": key or "measured",
                               "value": value})  # fmt: skip
    return {"runs": runs, "records": records, "verdicts": verdicts, "verdict_values": values}


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def to_csv(rows: list[dict[str, Any]], fallback: list[str]) -> str:
    """CSV text with a header of every column seen (``fallback`` when there are no rows)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_columns(rows) or fallback, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


HEADERS = {
    "runs": ["hash", "label", "status", "code_version", "created"],
    "records": ["hash", "code_version", "t", "step"],
    "verdicts": ["label", "id", "status", "margin", "scale", "experiment", "wall_s"],
    "verdict_values": ["label", "id", "key", "value"],
}


def check_format(fmt: str) -> None:
    """Bad input (ConfigError) when ``fmt`` is parquet and pyarrow is not importable."""
    if fmt == "parquet" and importlib.util.find_spec("pyarrow") is None:
        raise ConfigError("export: --format parquet needs pyarrow (pip install pyarrow)")


def export(store: Store, out: Path, fmt: str = "csv", label: str | None = None) -> list[Path]:
    """Write the four tables into ``out`` as ``<table>.csv`` or ``.parquet``; return paths.
    Everything is computed before the first file is written."""
    check_format(fmt)
    data = tables(store, label)
    if label is not None and not data["runs"] and not data["verdicts"]:
        raise ConfigError(f"store {store.path}: nothing under label {label!r}")
    if fmt == "csv":
        texts = {name: to_csv(rows, HEADERS[name]) for name, rows in data.items()}
        return [write_atomic(out / f"{name}.csv", text) for name, text in texts.items()]
    import pyarrow as pa
    import pyarrow.parquet as pq

    written = []
    for name, rows in data.items():
        columns = _columns(rows) or HEADERS[name]
        table = pa.table({c: [row.get(c) for row in rows] for c in columns})
        out.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, out / f"{name}.parquet")
        written.append(out / f"{name}.parquet")
    return written
