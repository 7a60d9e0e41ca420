"""`ingest --sync`: the collection matches the directory; dry runs change nothing."""

import shutil
from pathlib import Path

import pytest

from bot.engine import Engine
from groundline.kb import KnowledgeBase
from ingest.cli import build_ingestor
from ingest.pipeline import Ingestor
from tests.bot.fakes import ScriptedLLM
from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    target = tmp_path / "docs"
    shutil.copytree(SAMPLES, target)
    return target


@pytest.fixture
def synced(kb: KnowledgeBase, docs: Path) -> Ingestor:
    ingestor = build_ingestor(kb)
    assert ingestor.ingest([docs], sync=True).added == 14
    return ingestor


def _state(kb: KnowledgeBase) -> tuple[dict[str, str], set[str]]:
    return {r.id: r.hash for r in kb.registry.all()}, kb.point_ids()


def _edit(docs: Path) -> None:
    """One new file, one changed, one deleted."""
    (docs / "new-feature.md").write_text("# Receipts scanner\n\nScan receipts with the app.")
    page = docs / "invoices.md"
    page.write_text(page.read_text() + "\n\n## Late fees\n\nLate fees are 2% a month.\n")
    (docs / "troubleshooting.md").unlink()


def test_sync_adds_replaces_keeps_and_deletes(
    kb: KnowledgeBase, docs: Path, synced: Ingestor
) -> None:
    before = {r.id: r for r in kb.registry.all()}
    _edit(docs)
    report = synced.ingest([docs], sync=True)
    assert (report.added, report.updated, report.unchanged, report.deleted) == (1, 1, 12, 1)
    assert report.changes == {
        "added": ["new-feature.md"],
        "updated": ["invoices.md"],
        "deleted": ["troubleshooting.md"],
    }
    after = {r.id: r for r in kb.registry.all()}
    assert "troubleshooting.md" not in after
    assert after["pricing.html"].chunk_ids == before["pricing.html"].chunk_ids
    assert after["pricing.html"].ingested_at == before["pricing.html"].ingested_at  # untouched
    expected_ids = {i for r in after.values() for i in r.chunk_ids}
    assert kb.point_ids() == expected_ids  # nothing stale, nothing missing


def test_deleted_file_stops_answering(kb: KnowledgeBase, docs: Path, synced: Ingestor) -> None:
    engine = Engine(kb, ScriptedLLM("x [1]."))
    assert any(p.doc_id == "payroll.html" for p in engine.retrieve("Tallybook Payroll price"))
    (docs / "payroll.html").unlink()
    synced.ingest([docs], sync=True)
    assert all(p.doc_id != "payroll.html" for p in engine.retrieve("Tallybook Payroll price"))


def test_dry_run_prints_the_diff_and_changes_nothing(
    kb: KnowledgeBase, docs: Path, synced: Ingestor
) -> None:
    before = _state(kb)
    _edit(docs)
    report = synced.ingest([docs], sync=True, dry_run=True)
    assert report.dry_run
    assert (report.added, report.updated, report.unchanged, report.deleted) == (1, 1, 12, 1)
    assert report.changes["deleted"] == ["troubleshooting.md"]
    assert report.chunks_embedded == 0
    assert _state(kb) == before


def test_ingest_without_sync_deletes_nothing(
    kb: KnowledgeBase, docs: Path, synced: Ingestor
) -> None:
    (docs / "troubleshooting.md").unlink()
    report = synced.ingest([docs])
    assert report.deleted == 0
    assert kb.registry.get("troubleshooting.md") is not None


def test_replacement_is_invisible_until_the_registry_switches(
    kb: KnowledgeBase, docs: Path, synced: Ingestor
) -> None:
    """Between 'new chunks in' and 'old chunks out' users see exactly one version."""
    engine = Engine(kb, ScriptedLLM("x [1]."))
    old = kb.registry.get("billing-and-refunds.md")
    assert old is not None
    page = docs / "billing-and-refunds.md"
    page.write_text(page.read_text().replace("within 30 days", "within 45 days"))
    registry_put = kb.registry.put
    seen: list[set[str]] = []

    def spy(record):  # type: ignore[no-untyped-def]
        if record.id == "billing-and-refunds.md":  # new chunks are stored, registry not yet
            seen.append({p.text for p in engine.retrieve("refund within how many days")})
        registry_put(record)
        if record.id == "billing-and-refunds.md":  # switched, old chunks not yet deleted
            seen.append({p.text for p in engine.retrieve("refund within how many days")})

    kb.registry.put = spy  # type: ignore[method-assign]
    synced.ingest([docs], sync=True)
    before_switch, after_switch = " ".join(seen[0]), " ".join(seen[1])
    assert "within 30 days" in before_switch
    assert "within 45 days" not in before_switch
    assert "within 45 days" in after_switch
    assert "within 30 days" not in after_switch


def test_reconcile_removes_orphans_left_by_a_crash(
    kb: KnowledgeBase, docs: Path, synced: Ingestor
) -> None:
    record = kb.registry.get("payroll.html")
    assert record is not None
    kb.registry.delete("payroll.html")  # as if killed after storing chunks, before registering
    (docs / "payroll.html").unlink()
    report = synced.ingest([docs], sync=True)  # the next run cleans up first
    assert report.deleted == 0
    assert not set(record.chunk_ids) & kb.point_ids()
    assert kb.point_ids() == {i for r in kb.registry.all() for i in r.chunk_ids}
