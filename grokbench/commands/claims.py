"""``grokbench claims``: run the catalogue, write the markdown report and the verdict JSON.

Exit 0 when no claim failed, 1 when one did, 2 for bad input, 130 when interrupted (what
finished is still written, and the report says what did not).
"""

from __future__ import annotations

import argparse
from typing import Any

from grokbench.claims import evaluate, select
from grokbench.config import parse_overrides
from grokbench.envinfo import environment
from grokbench.fileio import write_json
from grokbench.report import MARK, write_report
from grokbench.spec import SCALES, VERDICTS_SCHEMA


def register(sub: Any) -> None:
    parser = sub.add_parser("claims", help="check the claims and write a report")
    parser.add_argument("--scale", default="ci", choices=SCALES, help="preset size (default ci)")
    parser.add_argument("--only", default=None, help="comma-separated claim ids, e.g. K2,T1,R2")
    parser.add_argument("--report", default="reports/CLAIMS.md", help="markdown report path")
    parser.add_argument("--json", default="reports/verdicts.json", help="verdict JSON path")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a setting of every run, e.g. --set dynamics=adamw --set lr=0.01",
    )
    parser.set_defaults(func=main)


def verdict_document(verdicts: list[Any], env: dict[str, Any]) -> dict[str, Any]:
    return {"schema": VERDICTS_SCHEMA, "env": env, "verdicts": [v.to_dict() for v in verdicts]}


def main(args: argparse.Namespace) -> int:
    claims = select(args.only)
    overrides = parse_overrides(args.overrides)
    evaluation = evaluate(claims, args.scale, overrides=overrides)
    env = environment("cpu")
    env["scale"] = args.scale
    env["overrides"] = overrides
    env["wall_s"] = evaluation.wall_s
    write_json(args.json, verdict_document(evaluation.verdicts, env))
    write_report(evaluation, args.report)
    for v in evaluation.verdicts:
        print(f"{v.id:>3}  {MARK[v.status]:<16} {v.reason}")
    print(f"report: {args.report}  verdicts: {args.json}  ({evaluation.wall_s:.0f} s)")
    if evaluation.interrupted:
        return 130
    return 1 if any(v.status == "fail" for v in evaluation.verdicts) else 0
