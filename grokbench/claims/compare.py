"""Compare two verdict sets: which claims flipped and which measured values moved.

Pure logic (no files, no store): ``check_verdicts`` validates a verdict JSON document,
``compare_verdicts`` pairs the claims of BASE and NEW by id, and ``render`` writes the
markdown table and the one-line summary that ``grokbench compare`` prints.

How a change is judged, claim by claim:

- status: pass and erratum (a confirmed erratum) hold the claim as the catalogue states it;
  from one of them to fail or inconclusive is a regression, the other way an improvement;
  fail ↔ inconclusive is a change (reported, not a regression).
- a claim in BASE but not in NEW is a regression (``missing``); one only in NEW is ``added``.
- values: every number in ``measured`` (a number, or each numeric entry of a dict) is
  compared with the same entry in the other set. BASE's ``tolerance`` decides (NEW's when
  BASE has none): a number or ``"±x"`` is absolute, |new − base| > x; ``"x%"`` or
  ``"±x%"`` is relative to BASE, |new − base| > x/100·|base|; a dict gives one such
  tolerance per measured key. Any other tolerance (prose, null) leaves the value unjudged:
  only the status counts. A value that was a finite number in BASE and is absent, null or
  NaN in NEW has moved, whatever the tolerance.
- a moved value is a regression unless the claim's status improved (fail → pass moves
  the measured value by design).
- a claim run at another scale in NEW is reported as changed, not as a regression.
- exit code: 1 when anything regressed or went missing, else 0 (improvements included).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tabulate import tabulate

from grokbench.spec import VERDICTS_SCHEMA, ConfigError

STATUSES = ("pass", "fail", "inconclusive", "erratum")
#: Statuses that hold the claim as the catalogue states it (an erratum confirmed included).
GOOD = ("pass", "erratum")
_TOLERANCE = re.compile(
    r"^\s*(?:±|\+/-|\+-)?\s*(\d*\.?\d+(?:[eE][-+]?\d+)?)\s*(%)?\s*$",
)


@dataclass(frozen=True)
class Tolerance:
    """How far a measured value may move between two sets: absolute or relative to BASE."""

    value: float
    relative: bool = False

    def bound(self, base: float) -> float:
        return self.value * abs(base) if self.relative else self.value

    def allows(self, base: float, new: float) -> bool:
        """True when |new − base| stays within the tolerance (equality allowed)."""
        return abs(new - base) <= self.bound(base)

    def __str__(self) -> str:
        return f"±{self.value * 100:g}%" if self.relative else f"±{self.value:g}"


def parse_tolerance(raw: Any) -> Tolerance | None:
    """A scalar tolerance from a number, ``"±0.15"`` or ``"5%"``; None when it is not one."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float):
        value, relative = float(raw), False
    elif isinstance(raw, str):
        match = _TOLERANCE.match(re.sub(r"\(.*?\)", "", raw))
        if match is None:
            return None
        value, relative = float(match.group(1)), match.group(2) is not None
        value = value / 100 if relative else value
    else:
        return None
    return Tolerance(value, relative) if math.isfinite(value) and value >= 0 else None


def tolerance_for(raw: Any, key: str) -> Tolerance | None:
    """The tolerance of one measured entry (``key == ""`` for a scalar measured value)."""
    if isinstance(raw, dict):
        return parse_tolerance(raw.get(key)) if key else None
    return parse_tolerance(raw)


def numbers(measured: Any) -> dict[str, float]:
    """The numeric entries of a measured value: ``{"": x}`` for a number, else per dict key."""
    if isinstance(measured, int | float) and not isinstance(measured, bool):
        return {"": float(measured)}
    if isinstance(measured, dict):
        return {
            str(k): float(v)
            for k, v in measured.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }
    return {}


@dataclass
class Change:
    """One claim that differs between BASE and NEW."""

    id: str
    kind: str  # regressed | improved | changed | added | missing
    base: dict[str, Any] | None
    new: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)

    @property
    def regressed(self) -> bool:
        return self.kind in ("regressed", "missing")


@dataclass
class Comparison:
    """The claim-by-claim outcome of comparing two verdict sets."""

    changes: list[Change]
    unchanged: list[str]

    @property
    def regressions(self) -> list[Change]:
        return [c for c in self.changes if c.regressed]

    @property
    def exit_code(self) -> int:
        """1 when anything regressed, else 0."""
        return 1 if self.regressions else 0


def check_verdicts(data: Any, source: str) -> dict[str, dict[str, Any]]:
    """Validate a verdict JSON document; return its verdicts by claim id.

    An id that occurs more than once (one claim at two scales) is keyed ``id@scale``.
    """
    if not isinstance(data, dict) or data.get("schema") != VERDICTS_SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise ConfigError(f"{source}: schema is {found!r}, expected {VERDICTS_SCHEMA!r}")
    rows = data.get("verdicts")
    if not isinstance(rows, list):
        raise ConfigError(f"{source}: 'verdicts' must be a list")
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("id"), str):
            raise ConfigError(f"{source}: verdict #{i} has no string 'id'")
        if row.get("status") not in STATUSES:
            raise ConfigError(
                f"{source}: verdict {row['id']} has status {row.get('status')!r}; "
                f"allowed: {', '.join(STATUSES)}"
            )
    counts = Counter(row["id"] for row in rows)
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = row["id"] if counts[row["id"]] == 1 else f"{row['id']}@{row.get('scale')}"
        if key in out:
            raise ConfigError(f"{source}: verdict {key} appears twice")
        out[key] = row
    return out


def _status_kind(base: str, new: str) -> str | None:
    if base == new:
        return None
    if base in GOOD and new not in GOOD:
        return "regressed"
    if new in GOOD and base not in GOOD:
        return "improved"
    return "changed"


def moved_values(base: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Descriptions of the measured values that left their tolerance (empty when none)."""
    raw = base.get("tolerance")
    if raw is None:
        raw = new.get("tolerance")
    before, after = numbers(base.get("measured")), numbers(new.get("measured"))
    notes = []
    for key, b in before.items():
        name = key or "measured"
        n = after.get(key, math.nan)
        if not math.isfinite(b):
            continue
        if not math.isfinite(n):
            shown = f"{n:.4g}" if key in after else "-"
            notes.append(f"{name}: {b:.4g} → {shown} (no finite value)")
            continue
        tol = tolerance_for(raw, key)
        if tol is not None and not tol.allows(b, n):
            notes.append(f"{name}: {b:.4g} → {n:.4g}, Δ {n - b:+.3g} beyond ±{tol.bound(b):.3g}")
    return notes


def align_ids(
    base: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """``base`` keyed as ``new`` keys the same claims: a bare id (``K1``, from before claim
    ids were namespaced) takes the one namespaced id of ``new`` that ends in it
    (``lyu24/K1``), and the other way round; ids that match exactly, or not uniquely, stay."""

    def bare(key: str) -> str:
        return key.rpartition("/")[2]

    by_bare: dict[str, list[str]] = {}
    for key in new:
        by_bare.setdefault(bare(key), []).append(key)
    out = {}
    for key, row in base.items():
        candidates = by_bare.get(bare(key), [])
        if (
            key not in new
            and len(candidates) == 1
            and (bare(key) == key or candidates[0] == bare(key))
        ):
            key = candidates[0]
        out[key] = row
    return out


def compare_verdicts(base: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> Comparison:
    """Pair the claims of two validated verdict sets (``check_verdicts`` output) by id (a
    bare id with its one namespaced form: ``align_ids``)."""
    base = align_ids(base, new)
    changes: list[Change] = []
    unchanged: list[str] = []
    for key, b in base.items():
        n = new.get(key)
        if n is None:
            changes.append(Change(key, "missing", b, None, ["missing in NEW"]))
            continue
        kind = _status_kind(b["status"], n["status"])
        moved = moved_values(b, n)
        if moved and kind != "improved":
            kind = "regressed"
        notes = list(moved)
        if b.get("scale") != n.get("scale"):
            notes.append(f"scale {b.get('scale')} → {n.get('scale')}")
            kind = kind or "changed"
        if kind is None:
            unchanged.append(key)
        else:
            changes.append(Change(key, kind, b, n, notes))
    for key, n in new.items():
        if key not in base:
            changes.append(Change(key, "added", None, n, ["new in NEW"]))
    return Comparison(changes, unchanged)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items())
    return str(value)


def _side(row: dict[str, Any] | None) -> tuple[str, str]:
    if row is None:
        return "-", "-"
    return row["status"], _fmt(row.get("measured"))


def render(result: Comparison, base_name: str = "BASE", new_name: str = "NEW") -> str:
    """The markdown table of changes (github format) and a one-line summary after it."""
    lines = []
    if result.changes:
        rows = []
        for c in result.changes:
            (bs, bm), (ns, nm) = _side(c.base), _side(c.new)
            tolerance = (c.base or c.new or {}).get("tolerance")
            status = f"{bs} → {ns}" if bs != ns else bs
            cells = [c.id, c.kind, status, bm, nm, _fmt(tolerance), "; ".join(c.notes)]
            rows.append([cell.replace("|", "\\|") for cell in cells])
        headers = ["claim", "change", "status", base_name, new_name, "tolerance", "what moved"]
        lines += [tabulate(rows, headers=headers, tablefmt="github"), ""]
    lines.append(summary(result, base_name, new_name))
    return "\n".join(lines)


def summary(result: Comparison, base_name: str = "BASE", new_name: str = "NEW") -> str:
    """One line: counts per kind of change, naming the regressed and improved claims."""
    parts = []
    for kind in ("regressed", "missing", "improved", "changed", "added"):
        ids = [c.id for c in result.changes if c.kind == kind]
        if ids:
            parts.append(f"{len(ids)} {kind} ({', '.join(ids)})")
    parts.append(f"{len(result.unchanged)} unchanged")
    verdict = "REGRESSION" if result.exit_code else "OK"
    return f"{verdict}: {base_name} → {new_name}: " + ", ".join(parts)
