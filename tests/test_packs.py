"""Claim packs: discovery through the entry point group, namespaced ids, ``--paper``,
``grokbench papers``, and the "Where papers meet" table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from grokbench.claims import registry
from grokbench.claims.evaluate import select, select_papers
from grokbench.claims.meetings import meeting_rows
from grokbench.cli import main
from grokbench.spec import ConfigError, Verdict

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def with_fake_pack(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """tests/fake_pack.py installed as a third party's pack, through the entry point."""
    found = [EntryPoint("fake", "tests.fake_pack", registry.ENTRY_POINT_GROUP)]
    monkeypatch.setattr(registry, "entry_points", lambda group: found)
    monkeypatch.chdir(ROOT)
    registry.catalogue.cache_clear()
    yield
    registry.catalogue.cache_clear()


def test_an_entry_point_pack_is_loaded_with_namespaced_ids(with_fake_pack: None) -> None:
    known = registry.catalogue()
    keys = list(known.packs)
    assert keys[0] == "lyu24" and keys[-1] == "fake"  # built-ins first
    assert [c.id for c in select_papers("fake")] == ["fake/F1", "fake/K1"]
    assert [c.id for c in select("F1,lyu24/K2")] == ["lyu24/K2", "fake/F1"]  # catalogue order
    with pytest.raises(ConfigError, match=r"ambiguous.*lyu24/K1.*fake/K1"):
        select("K1")
    with pytest.raises(ConfigError, match="--paper: unknown pack"):
        select_papers("nope")


def test_without_the_second_pack_the_bare_id_resolves() -> None:
    assert [c.id for c in select("k1")] == ["lyu24/K1"]


def test_papers_lists_every_pack(with_fake_pack: None, capsys: pytest.CaptureFixture) -> None:
    assert main(["papers", "--json"]) == 0
    packs = json.loads(capsys.readouterr().out)["packs"]
    assert [p["key"] for p in packs][:: len(packs) - 1] == ["lyu24", "fake"]
    assert packs[-1]["claims"] == ["fake/F1", "fake/K1"]
    assert packs[-1]["proxy_below_paper_scale"] == ["F1"]


def test_claims_by_paper_share_the_run_set_and_meet(
    with_fake_pack: None, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    report, verdicts = tmp_path / "r.md", tmp_path / "v.json"
    args = ["claims", "--scale", "smoke", "--paper", "lyu24,fake", "--only", "lyu24/K1,F1",
            "--report", str(report), "--json", str(verdicts)]  # fmt: skip
    main(args)  # lyu24/K1 may fail at smoke scale (small α): that is not what is tested
    rows = json.loads(verdicts.read_text())["verdicts"]
    assert [(r["id"], r["paper"]) for r in rows] == [("lyu24/K1", "lyu24"), ("fake/F1", "fake")]
    assert rows[1]["status"] == "pass"
    assert rows[1]["measured"]["fake_norm"] > 0  # its probe rode on lyu24's run set
    assert rows[1]["proxy"] == "a smaller test pack" and rows[0]["proxy"] == ""
    text = report.read_text()
    assert "### fake: A. Tester" in text and "## Where papers meet" in text
    assert "| fake/F1 | lyu24/K1 | agrees" in text
    assert capsys.readouterr().err.count("run set sparse-main") == 1  # run once, read twice


def _verdict(claim_id: str, status: str, measured: dict) -> Verdict:
    return Verdict(claim_id, "sparse-cls", "ci", status, measured, "", {}, 0.1, [0], 1.0)  # type: ignore[arg-type]


def test_meetings_show_the_deciding_values_and_undeclared_pairs(with_fake_pack: None) -> None:
    claims = select("lyu24/K1,fake/F1,fake/K1")
    verdicts = [
        _verdict("lyu24/K1", "pass", {"max_norm_ratio_deviation": 0.01}),
        _verdict("fake/F1", "fail", {"final_acc": 0.5}),
        _verdict("fake/K1", "pass", {}),
    ]
    rows = meeting_rows(claims, verdicts)
    declared = rows[0]
    assert (declared["first"], declared["second"]) == ("fake/F1", "lyu24/K1")
    # declared "agrees", but F1 failed: the row says so rather than the bare relation
    assert declared["relation"] == "agrees, as declared; but fake/F1 did not pass"
    assert declared["first measured"] == "fail; final_acc = 0.5"
    assert declared["second measured"] == "pass; max_norm_ratio_deviation = 0.01"
    undeclared = [(r["first"], r["second"]) for r in rows[1:]]
    assert undeclared == [("lyu24/K1", "fake/K1")]  # same run set, different packs
    verdicts[1] = _verdict("fake/F1", "pass", {"final_acc": 1.0})
    assert meeting_rows(claims, verdicts)[0]["relation"] == "agrees"  # both hold: as declared
