"""Time run sets one by one at a scale, one torch thread; save wall times (and the members'
records, for comparing numbers) under OUTDIR. Run it with PYTHONPATH pointing at a copy of
``grokbench/`` to time another version side by side (benchmarks/NOTES.md).

usage: python benchmarks/paper_catalogue.py OUTDIR SCALE RUNSET [RUNSET ...]
"""

from __future__ import annotations

import json
import os
import pickle
import sys

import torch

from grokbench.claims.collect import collect


def main(out: str, scale: str, names: list[str]) -> None:
    torch.set_num_threads(1)
    os.makedirs(out, exist_ok=True)
    times: dict[str, dict[str, object]] = {}
    for name in names:
        load = os.getloadavg()
        members, seconds = collect([name], scale, log=lambda line: print(line, flush=True))
        times[name] = {"s": seconds[name], "load_before": load, "load_after": os.getloadavg()}
        print("TIMING", name, round(seconds[name], 1), load, flush=True)
        rows = [(m.config.to_dict(), [r.to_dict() for r in m.trace.records], m.trace.summary)
                for m in members[name]]  # fmt: skip
        with open(f"{out}/{name}.pkl", "wb") as handle:
            pickle.dump(rows, handle)
        with open(f"{out}/times.json", "w") as handle:
            json.dump(times, handle, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
