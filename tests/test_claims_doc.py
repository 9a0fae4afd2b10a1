"""Each pack's claims page is its catalogue as it is: regenerate it after changing a claim."""

from pathlib import Path

import pytest

from grokbench.claims.docgen import render
from grokbench.claims.registry import catalogue

ROOT = Path(__file__).resolve().parent.parent
PACKS = [pack for pack in catalogue().packs.values() if pack.doc]


@pytest.mark.parametrize("pack", PACKS, ids=[pack.key for pack in PACKS])
def test_the_committed_claims_page_matches_the_pack(pack):
    assert (ROOT / pack.doc).read_text(encoding="utf-8") == render(pack), (
        f"{pack.doc} is stale: python -m grokbench.claims.docgen {pack.key} > {pack.doc}"
    )
