"""``grokbench claims``: run the catalogue, write the markdown report and the verdict JSON.

``--label NAME`` also saves the verdicts in the results store; ``--baseline NAME`` (a
store label or a verdict JSON) compares the new verdicts with it and prints the table of
``grokbench compare``. Exit 0 when no claim failed and nothing regressed, 1 when a claim
failed or regressed against the baseline, 2 for bad input, 130 when interrupted (what
finished is still written, and the report says what did not).
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from grokbench.claims.compare import check_verdicts, compare_verdicts, render
from grokbench.commands.common import add_overrides_argument
from grokbench.commands.compare import load_side
from grokbench.commands.sweep import add_executor_arguments, check_counts, slurm_options
from grokbench.infra.atomic import write_json
from grokbench.infra.store import ENV_VAR, Store
from grokbench.spec import SCALES, VERDICTS_SCHEMA, ConfigError

if TYPE_CHECKING:
    from grokbench.claims.collect import Compute
    from grokbench.claims.evaluate import Evaluation
    from grokbench.claims.stored_runs import StoredRuns


def register(sub: Any) -> None:
    parser = sub.add_parser("claims", help="check the claims and write a report")
    parser.add_argument("--scale", default="ci", choices=SCALES, help="preset size (default ci)")
    parser.add_argument(
        "--only",
        default=None,
        help="comma-separated claim ids, e.g. lyu24/K2,T1 (a bare id while it is unique)",
    )
    parser.add_argument(
        "--paper",
        default=None,
        metavar="KEYS",
        help="comma-separated packs whose claims to check, e.g. lyu24,prieto25 "
        "(grokbench papers lists them); with --only, the claims in both",
    )
    parser.add_argument("--report", default="reports/CLAIMS.md", help="markdown report path")
    parser.add_argument(
        "--out", "--json", dest="json", default="reports/verdicts.json", metavar="PATH",
        help="verdict JSON path (--out, as in every command; --json is the same)",
    )  # fmt: skip
    add_overrides_argument(
        parser,
        " of every run",
        "--set dynamics=adamw --set lr=0.01 or --set model=package.module:factory",
    )
    parser.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help="import a module that adds claims (grokbench.claims.add_claim) before selecting",
    )
    parser.add_argument(
        "--label", default=None, metavar="NAME", help="also save the verdicts in the store"
    )
    parser.add_argument(
        "--baseline",
        default=None,
        metavar="NAME",
        help="compare with a stored label (or a verdict JSON); exit 1 on a regression",
    )
    parser.add_argument(
        "--fail-on",
        default=None,
        choices=("regression", "fail", "any"),
        help="what exits 1: a regression against --baseline (the default with --baseline), "
        "a failed claim (the default without; a confirmed erratum is not a failure), or any",
    )
    add_executor_arguments(parser, default=None)
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="compute every run again instead of reusing the store's (with --store/--executor)",
    )
    parser.set_defaults(func=main)


def verdict_document(verdicts: list[Any], env: dict[str, Any]) -> dict[str, Any]:
    return {"schema": VERDICTS_SCHEMA, "env": env, "verdicts": [v.to_dict() for v in verdicts]}


def run_claims(
    only: str | None,
    scale: str,
    overrides: dict[str, Any],
    compute: Compute | None = None,
    papers: str | None = None,
) -> Evaluation:
    """Evaluate the claims; those that do not apply to a plug-in model are inconclusive
    with the reason, without running. ``compute``: how run sets are computed (in this
    process by default; through the store and an executor with ``run_cache.StoredRuns``)."""
    from grokbench.claims.evaluate import evaluate, select, select_papers  # torch: when run

    claims = select(only)
    if papers:
        chosen = {claim.id for claim in select_papers(papers)}
        claims = [claim for claim in claims if claim.id in chosen]
    if not claims:
        raise ConfigError("--only and --paper: no claim is in both")
    return evaluate(claims, scale, overrides, compute=compute)


def _environment(evaluation: Evaluation) -> dict[str, Any]:
    """The verdicts' environment: the device and dtype the runs used (the first run's
    trace says), this machine's otherwise."""
    from grokbench.infra.environment import environment

    traces = [m.trace for group in evaluation.members.values() for m in group]
    if not traces:
        return environment("cpu")
    config, env = traces[0].config, traces[0].env
    return {**environment(env.get("device", "cpu"), config.get("dtype", "float64")), **env}


@contextlib.contextmanager
def _stored_runs(args: argparse.Namespace) -> Iterator[StoredRuns | None]:
    """Runs through the store (``--store``, ``$GROKBENCH_STORE``) and ``--executor``, when
    either is given; None (every run in this process, nothing stored) otherwise."""
    check_counts(args, ("workers", "threads"))
    if not (args.executor or args.store or os.environ.get(ENV_VAR)):
        if args.fresh:
            raise ConfigError("--fresh: only with --store or --executor (nothing is reused here)")
        if args.threads is not None:  # every run in this process: its torch threads
            import torch

            torch.set_num_threads(args.threads)
        yield None
        return
    from grokbench.claims.stored_runs import StoredRuns
    from grokbench.scaleout.executors import backend

    with contextlib.ExitStack() as stack:
        executor = None
        if args.executor:  # the executor first: a missing extra leaves no store file
            executor = stack.enter_context(
                backend(args.executor, args.workers, args.scheduler, slurm_options(args))
            )
        store = stack.enter_context(Store(args.store))
        yield StoredRuns(store, executor, args.code_version, args.fresh, args.label,
                         args.threads)  # fmt: skip


def main(args: argparse.Namespace) -> int:
    from grokbench.claims.evaluate import load_plugins  # torch, matplotlib: imported when run
    from grokbench.claims.report import MARK, write_report
    from grokbench.engine.config import parse_overrides

    load_plugins(args.plugin)
    overrides = parse_overrides(args.overrides)
    if args.label is not None:  # bad input fails now, not after the runs
        if not args.label.strip():
            raise ConfigError("--label: must not be empty")
        Store(args.store).close()
    fail_on = args.fail_on or ("regression" if args.baseline else "fail")
    if fail_on == "regression" and not args.baseline:
        raise ConfigError("--fail-on regression: needs --baseline (what to regress against)")
    baseline = load_side(args.baseline, args.store) if args.baseline else None
    with _stored_runs(args) as compute:
        evaluation = run_claims(args.only, args.scale, overrides, compute, args.paper)
    if compute is not None:
        print(f"runs: {compute.reused} reused, {compute.computed} computed "
              f"(store {compute.store.path}, code version {compute.code_version})")  # fmt: skip
    env = _environment(evaluation)
    env["scale"] = args.scale
    env["overrides"] = overrides
    env["wall_s"] = evaluation.wall_s
    document = verdict_document(evaluation.verdicts, env)
    write_json(args.json, document)
    write_report(evaluation, args.report)
    for v in evaluation.verdicts:
        proxy = f" [proxy: {v.proxy}]" if v.proxy else ""
        print(f"{v.id:>3}  {MARK[v.status]:<20} {v.reason}{proxy}")
    print(f"report: {args.report}  verdicts: {args.json}  ({evaluation.wall_s:.0f} s)")
    if evaluation.interrupted:
        return 130
    if args.label:
        with Store(args.store) as store:
            store.put_verdicts(args.label, evaluation.verdicts, env)
        print(f"saved as {args.label!r} in {store.path}")
    regressed = False
    if baseline is not None:
        new_name = args.label or "this run"
        ran = {v.id for v in evaluation.verdicts}  # the claims not selected are not missing
        ran |= {claim_id.rpartition("/")[2] for claim_id in ran}  # bare ids of older sets
        baseline = {key: row for key, row in baseline.items() if row["id"] in ran}
        result = compare_verdicts(baseline, check_verdicts(document, new_name))
        print()
        print(render(result, args.baseline, new_name))
        regressed = bool(result.exit_code)
    failed = any(v.status == "fail" for v in evaluation.verdicts)
    return int({"fail": failed, "regression": regressed, "any": failed or regressed}[fail_on])
