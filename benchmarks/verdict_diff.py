"""Two verdict files of the same claims side by side: status, and each measured number's
relative difference (largest first). For comparisons that must show equal verdicts and
numbers within the tolerances, such as float32 against float64 test sets.

    python benchmarks/verdict_diff.py A.json B.json [--top 15]
"""

from __future__ import annotations

import argparse
import json
import math


def _verdicts(path: str) -> dict[str, dict]:
    with open(path) as handle:
        return {v["id"]: v for v in json.load(handle)["verdicts"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    a, b = _verdicts(args.a), _verdicts(args.b)
    rows = []
    for claim in sorted(a.keys() & b.keys()):
        same = a[claim]["status"] == b[claim]["status"]
        print(f"{claim}: {a[claim]['status']} / {b[claim]['status']}{'' if same else '  DIFFERS'}")
        for name, x in a[claim]["measured"].items():
            y = b[claim]["measured"].get(name)
            if isinstance(x, (int, float)) and isinstance(y, (int, float)) and x != y:
                scale = max(abs(x), abs(y))
                finite = scale and math.isfinite(scale)
                rows.append((abs(x - y) / scale if finite else math.inf, claim, name, x, y))
    only = sorted(a.keys() ^ b.keys())
    if only:
        print("in one file only:", ", ".join(only))
    print(f"\n{len(rows)} numbers differ; largest relative differences:")
    for rel, claim, name, x, y in sorted(rows, reverse=True)[: args.top]:
        print(f"  {rel:.2e}  {claim} {name}: {x!r} / {y!r}")


if __name__ == "__main__":
    main()
