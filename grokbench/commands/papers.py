"""``grokbench papers``: the claim packs, one per paper: citation, claims, needs, ci time."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tabulate import tabulate


def register(sub: Any) -> None:
    parser = sub.add_parser("papers", help="list the claim packs (one per paper)")
    parser.add_argument("--json", action="store_true", help="print the list as JSON")
    parser.set_defaults(func=main)


def rows() -> list[dict[str, Any]]:
    """One row per loaded pack (built-in, then entry points)."""
    from grokbench.claims.registry import catalogue  # imports the packs: torch

    out = []
    for pack in catalogue().packs.values():
        claims = [claim for claim in catalogue().claims if claim.pack == pack.key]
        needs = sorted({need for claim in claims for need in claim.requires})
        proxies = [claim.bare_id for claim in claims if claim.proxy]
        out.append(
            {
                "key": pack.key,
                "citation": pack.citation,
                "arxiv": pack.arxiv,
                "code": pack.code,
                "claims": [claim.id for claim in claims],
                "needs": needs,
                "proxy_below_paper_scale": proxies,
                "ci_seconds": pack.ci_seconds,
                "doc": pack.doc,
            }
        )
    return out


def main(args: argparse.Namespace) -> int:
    found = rows()
    if args.json:
        print(json.dumps({"schema": "grokbench.papers/1", "packs": found}, indent=2))
        return 0
    table = [
        [
            row["key"],
            row["citation"].replace("*", "") + (f" (arXiv {row['arxiv']})" if row["arxiv"] else ""),
            f"{len(row['claims'])}: " + " ".join(c.rpartition("/")[2] for c in row["claims"]),
            ", ".join(row["needs"]) or "-",
            "-" if row["ci_seconds"] is None else f"{row['ci_seconds']:.0f} s",
        ]
        for row in found
    ]
    headers = ["pack", "paper", "claims", "needs", "ci time (2 cores)"]
    print(tabulate(table, headers, tablefmt="simple", maxcolwidths=[None, 50, 40, 20, None]))
    print("\nrun a pack: grokbench claims --paper KEY   its claims: docs/ (Pack.doc)")
    return 0
