"""docs/claims.md is the catalogue as it is: regenerate it after changing a claim."""

from pathlib import Path

from grokbench.claims.docgen import render

DOC = Path(__file__).resolve().parent.parent / "docs" / "claims.md"


def test_the_committed_claims_page_matches_the_catalogue():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/claims.md is stale: python -m grokbench.claims.docgen > docs/claims.md"
    )
