"""Several verdict sets side by side: the first is the base, each later one is compared
with it (``compare_verdicts``), and one table has a row per claim and a column per side.

Why: one command writes the table of a claim under GD, AdamW and momentum (docs/regression.md)
instead of typing it, in markdown, csv or json.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from tabulate import tabulate

from grokbench.claims.compare import Comparison, _fmt, compare_verdicts, numbers

FORMATS = ("md", "csv", "json")


@dataclass
class MultiComparison:
    """Named verdict sets (base first) and each later side's comparison with the base."""

    names: list[str]
    sides: list[dict[str, dict[str, Any]]]
    comparisons: list[Comparison]

    @property
    def exit_code(self) -> int:
        """1 when any side regressed against the base, else 0."""
        return 1 if any(c.regressions for c in self.comparisons) else 0

    def claims(self) -> list[str]:
        """Claim keys in first-seen order over all sides."""
        return list(dict.fromkeys(key for side in self.sides for key in side))

    def change(self, side: int, claim: str) -> str:
        """How ``claim`` on side ``side`` (>= 1) differs from the base ('' when unchanged)."""
        for c in self.comparisons[side - 1].changes:
            if c.id == claim:
                return c.kind
        return ""


def compare_many(names: list[str], sides: list[dict[str, dict[str, Any]]]) -> MultiComparison:
    """Compare every side after the first with the first."""
    return MultiComparison(names, sides, [compare_verdicts(sides[0], s) for s in sides[1:]])


def _cell(row: dict[str, Any] | None, change: str) -> str:
    if row is None:
        return "-" + (f" ({change})" if change else "")
    values = ", ".join(
        f"{k or 'measured'}={_fmt(v)}" for k, v in numbers(row.get("measured")).items()
    )
    text = row["status"] + (f" ({values})" if values else "")
    return text + (f" **{change}**" if change else "")


def rows(result: MultiComparison) -> list[dict[str, Any]]:
    """One plain dict per claim: per side its status, measured numbers and change vs base."""
    out = []
    for claim in result.claims():
        row: dict[str, Any] = {"claim": claim}
        for i, (name, side) in enumerate(zip(result.names, result.sides, strict=True)):
            verdict = side.get(claim)
            row[f"{name}:status"] = verdict["status"] if verdict else None
            row[f"{name}:measured"] = numbers(verdict.get("measured")) if verdict else {}
            if i:
                row[f"{name}:change"] = result.change(i, claim) or "unchanged"
        out.append(row)
    return out


def render_many(result: MultiComparison, fmt: str = "md") -> str:
    """The table in ``fmt`` (md: github table and a summary line; csv: one measured value
    per column; json: the rows plus the exit code)."""
    table = rows(result)
    if fmt == "json":
        doc = {"base": result.names[0], "sides": result.names, "claims": table,
               "regressed": result.exit_code == 1}  # fmt: skip
        return json.dumps(doc, indent=2, allow_nan=False, default=str) + "\n"
    if fmt == "csv":
        return _csv(result, table)
    cells = [
        [claim]
        + [
            _cell(side.get(claim), result.change(i, claim) if i else "")
            for i, side in enumerate(result.sides)
        ]
        for claim in result.claims()
    ]
    cells = [[c.replace("|", "\\|") for c in r] for r in cells]
    text = tabulate(cells, headers=["claim", *result.names], tablefmt="github")
    return text + "\n\n" + summary_many(result) + "\n"


def _csv(result: MultiComparison, table: list[dict[str, Any]]) -> str:
    keys: dict[str, list[str]] = {name: [] for name in result.names}
    for row in table:
        for name in result.names:
            for key in row[f"{name}:measured"]:
                if key not in keys[name]:
                    keys[name].append(key)
    header = ["claim"]
    for i, name in enumerate(result.names):
        header += [f"{name}:status"] + ([f"{name}:change"] if i else [])
        header += [f"{name}:{k or 'measured'}" for k in keys[name]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in table:
        line = [row["claim"]]
        for i, name in enumerate(result.names):
            line += [row[f"{name}:status"] or ""] + ([row[f"{name}:change"]] if i else [])
            line += [row[f"{name}:measured"].get(k, "") for k in keys[name]]
        writer.writerow(line)
    return buffer.getvalue()


def summary_many(result: MultiComparison) -> str:
    """One line: which sides regressed against the base, naming the claims."""
    parts = []
    for name, comparison in zip(result.names[1:], result.comparisons, strict=True):
        ids = [c.id for c in comparison.regressions]
        parts.append(f"{name}: {len(ids)} regressed" + (f" ({', '.join(ids)})" if ids else ""))
    verdict = "REGRESSION" if result.exit_code else "OK"
    return f"{verdict}: against {result.names[0]}: " + "; ".join(parts)
