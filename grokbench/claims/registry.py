"""The claim packs in use: every paper's claims, checks and run sets, found by name.

A pack is a module with a ``PACK`` (``grokbench.spec.Pack``): the built-in ones are listed
in ``BUILTIN``; a third party's are found through the entry-point group ``grokbench.packs``
(each entry point names a module with a ``PACK``). They are imported by name on first use,
so this module depends on no paper, and papers depend on the claims machinery, not the
other way round. ``add_claim`` adds a claim of one's own to the loaded catalogue.

A pack's claim ids are namespaced by its key (``lyu24/K1``); the bare id (``K1``) still
resolves while no other pack has it.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points

from grokbench.spec import (
    BaselineResult,
    Case,
    Check,
    Claim,
    ConfigError,
    Pack,
    ProbeFactory,
    RunSet,
)

ProbesOf = Callable[[dict[str, BaselineResult]], list[ProbeFactory]]

#: The packs that ship with grokbench, by module.
BUILTIN: tuple[str, ...] = (
    "grokbench.papers.lyu24.pack",
    "grokbench.papers.prieto25.pack",
    "grokbench.papers.kumar24.pack",
    "grokbench.papers.power22.pack",
    "grokbench.papers.levi24.pack",
    "grokbench.papers.nanda23.pack",
    "grokbench.papers.gromov23.pack",
    "grokbench.papers.omnigrok23.pack",
    "grokbench.papers.mohamadi24.pack",
    "grokbench.papers.varma23.pack",
    "grokbench.papers.grokfast24.pack",
)
ENTRY_POINT_GROUP = "grokbench.packs"


@dataclass
class Catalogue:
    """The loaded packs, merged: claims in pack order, checks and run sets by name."""

    packs: dict[str, Pack] = field(default_factory=dict)
    claims: list[Claim] = field(default_factory=list)
    by_id: dict[str, Claim] = field(default_factory=dict)
    checks: dict[str, Check] = field(default_factory=dict)
    run_sets: dict[str, RunSet] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)

    def add_pack(self, pack: Pack) -> None:
        """Merge a pack; a claim id or a differently defined run set that another pack
        already has is an error (run sets are shared by name, so a name means one set)."""
        for name, run_set in pack.run_sets.items():
            if self.run_sets.get(name, run_set) is not run_set:
                raise ConfigError(f"pack {pack.key}: run set {name!r} is already defined")
            self.run_sets[name] = run_set
        for name, extra in pack.probes.items():
            if name not in self.run_sets:
                raise ConfigError(f"pack {pack.key}: probes for unknown run set {name!r}")
            self.run_sets[name] = with_probes(self.run_sets[name], extra)
        if pack.key in self.packs or "/" in pack.key or not pack.key:
            raise ConfigError(f"pack {pack.key!r}: a key must be new and contain no '/'")
        for claim in pack.claims:
            qualified = dataclasses.replace(claim, id=f"{pack.key}/{claim.id}", pack=pack.key)
            self.add(qualified, pack.checks[claim.id])
        for case in pack.cases:
            qualified_case = dataclasses.replace(case, claim_id=f"{pack.key}/{case.claim_id}")
            self.cases[qualified_case.claim_id] = qualified_case
        self.packs[pack.key] = pack

    def claim(self, claim_id: str) -> Claim:
        """The claim with this full or (unique) bare id."""
        return self.by_id[self.resolve(claim_id)]

    def resolve(self, claim_id: str) -> str:
        """The full id of ``claim_id``: itself, or the one claim whose bare id it is
        (case-insensitive); an unknown or ambiguous id is bad input."""
        if claim_id in self.by_id:
            return claim_id
        wanted = claim_id.upper()
        found = [
            i for i in self.by_id if i.upper() == wanted or i.rpartition("/")[2].upper() == wanted
        ]
        if len(found) == 1:
            return found[0]
        if found:
            raise ConfigError(f"claim {claim_id}: ambiguous, say which: {', '.join(found)}")
        raise ConfigError(f"unknown claim {claim_id}; known: {', '.join(self.by_id)}")

    def add(self, claim: Claim, check: Check) -> Claim:
        """Add one claim; a claim of one's own (no pack) may not take an id that already
        resolves (``R2`` while ``lyu24/R2`` is loaded), so that bare ids stay unambiguous."""
        taken = [
            i for i in self.by_id if claim.id in (i, "" if claim.pack else i.rpartition("/")[2])
        ]
        if taken:
            raise ConfigError(f"claim {claim.id}: already in the catalogue as {taken[0]}")
        unknown_sets = [name for name in claim.run_sets if name not in self.run_sets]
        if unknown_sets or not claim.run_sets:
            known = ", ".join(self.run_sets)
            raise ConfigError(f"claim {claim.id}: unknown run set {claim.runs!r}; known: {known}")
        self.claims.append(claim)
        self.by_id[claim.id] = claim
        self.checks[claim.id] = check
        return claim


def with_probes(run_set: RunSet, extra: ProbesOf) -> RunSet:
    """``run_set`` recording ``extra``'s probes as well as its own."""
    own = run_set.probes

    def both(baselines: dict[str, BaselineResult]) -> list[ProbeFactory]:
        return [*own(baselines), *extra(baselines)]

    return dataclasses.replace(run_set, probes=both)


def _pack_modules() -> list[str]:
    found = [entry.value for entry in entry_points(group=ENTRY_POINT_GROUP)]
    return [*BUILTIN, *(name for name in found if name not in BUILTIN)]


@cache
def catalogue() -> Catalogue:
    """Every pack, loaded once per process."""
    loaded = Catalogue()
    for name in _pack_modules():
        loaded.add_pack(importlib.import_module(name).PACK)
    return loaded


def claims() -> list[Claim]:
    return catalogue().claims


def run_sets() -> dict[str, RunSet]:
    return catalogue().run_sets


def check_of(claim_id: str) -> Check:
    """The check of a claim, by full or (unique) bare id."""
    known = catalogue()
    return known.checks[known.resolve(claim_id)]


def families() -> list[str]:
    """Claim families in pack order, then those only added claims use."""
    packs = catalogue().packs.values()
    ordered = [family for pack in packs for family in pack.families]
    return list(dict.fromkeys([*ordered, *(claim.family for claim in claims())]))


def add_claim(claim: Claim, check: Check) -> Claim:
    """Add a claim of one's own to the catalogue, with the function that checks it.

    ``claim.runs`` names the run set(s) it reads (any loaded pack's). Called at import
    time by a module given to ``grokbench claims --plugin``, or by a project's conftest.py;
    docs/adding-claims.md."""
    return catalogue().add(claim, check)
