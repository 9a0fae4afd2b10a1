"""Every measured number of two verdict files side by side, largest relative difference
first: what ``grokbench compare`` leaves out when numbers move but stay within their
tolerances (it reports status changes and values that left them). For comparisons that
must show equal numbers, such as two jobs of the same code.

    python benchmarks/verdict_diff.py A.json B.json [--top 15]
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from grokbench.claims.compare import check_verdicts, numbers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    a, b = (check_verdicts(json.loads(Path(path).read_text()), path) for path in (args.a, args.b))
    rows = []
    for claim in sorted(a.keys() & b.keys()):
        if a[claim]["status"] != b[claim]["status"]:
            print(f"{claim}: {a[claim]['status']} / {b[claim]['status']}  DIFFERS")
        new = numbers(b[claim]["measured"])
        for name, x in numbers(a[claim]["measured"]).items():
            y = new.get(name)
            if y is not None and x != y:
                scale = max(abs(x), abs(y))
                rel = abs(x - y) / scale if scale and math.isfinite(scale) else math.inf
                rows.append((rel, claim, name, x, y))
    only = sorted(a.keys() ^ b.keys())
    if only:
        print("in one file only:", ", ".join(only))
    print(f"{len(rows)} numbers differ; largest relative differences:")
    for rel, claim, name, x, y in sorted(rows, reverse=True)[: args.top]:
        print(f"  {rel:.2e}  {claim} {name}: {x!r} / {y!r}")


if __name__ == "__main__":
    main()
