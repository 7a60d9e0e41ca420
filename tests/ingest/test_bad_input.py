"""Bad input: each file is reported by name with a reason, the rest ingested, exit code 1."""

import json
import zipfile
from pathlib import Path

import pytest

from groundline.kb import KnowledgeBase
from ingest.cli import build_ingestor
from ingest.loaders import LoadError
from ingest.parsing import ParserPool
from tests.conftest import SAMPLES
from tests.ingest import hostile
from tests.test_cli_e2e import _env, groundline


def _zip_bomb(path: Path) -> None:
    """A .docx whose one part unpacks to 1 GB of zeros (about 1 MB on disk)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1 << 20)
            for _ in range(1024):
                part.write(block)


@pytest.fixture
def bad_files(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("billing-and-refunds.md", "payroll.html", "api-reference.pdf"):
        (docs / name).write_bytes((SAMPLES / name).read_bytes())
    (docs / "corrupt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage")
    (docs / "empty.md").write_bytes(b"")
    (docs / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + bytes(200))
    (docs / "legacy.txt").write_bytes("Réclamations: délai de 30 jours.".encode("cp1252"))
    (docs / "huge.md").write_bytes(b"# Big\n" + b"word " * 300_000)  # 1.5 MB > the test's limit
    _zip_bomb(docs / "bomb.docx")
    (docs / "notes.odt").write_bytes(b"unsupported")
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("pw")
    with (docs / "locked.pdf").open("wb") as f:
        writer.write(f)
    return docs


EXPECTED_FAILURES = {
    "corrupt.pdf": "PDF",
    "empty.md": "empty",
    "image.txt": "binary",
    "huge.md": "larger than the 1 MB limit",
    "bomb.docx": "zip bomb",
    "locked.pdf": "encrypted",
}


@pytest.mark.slow
def test_each_bad_file_is_reported_and_the_rest_ingested(
    kb: KnowledgeBase, bad_files: Path
) -> None:
    kb.settings.ingest.max_file_mb = 1
    report = build_ingestor(kb).ingest([bad_files])
    failed = {Path(f["path"]).name: f["error"] for f in report.failed}
    assert set(failed) == set(EXPECTED_FAILURES)
    for name, reason in EXPECTED_FAILURES.items():
        assert reason in failed[name], (name, failed[name])
    assert report.added == 4  # three samples and the legacy-encoded text
    assert [Path(s["path"]).name for s in report.skipped] == ["notes.odt"]
    legacy = kb.registry.get("legacy.txt")
    assert legacy is not None
    assert legacy.status == "ok"


@pytest.mark.e2e
@pytest.mark.slow
def test_cli_exit_code_is_1_with_failures_and_json_names_them(
    bad_files: Path, tmp_path: Path, model_dir: Path
) -> None:
    env = _env(tmp_path, model_dir) | {"GROUNDLINE_INGEST__MAX_FILE_MB": "1"}
    result = groundline(env, "ingest", str(bad_files), "--json")
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert {Path(f["path"]).name for f in summary["failed"]} == set(EXPECTED_FAILURES)
    assert summary["added"] == 4


def test_a_file_that_hangs_the_parser_is_stopped_and_the_rest_read(tmp_path: Path) -> None:
    names = ["a.md", "hang.md", "b.md", "c.md"]
    for name in names:
        (tmp_path / name).write_text(f"# {name}\n\ntext of {name}")
    pool = ParserPool(timeout=5, memory_mb=1024, loader=hostile.hang_on_hang)
    try:
        results = dict(pool.parse((n, tmp_path / n) for n in names))
    finally:
        pool.close()
    assert isinstance(results["hang.md"], LoadError)
    assert "took longer than 5 s" in str(results["hang.md"])
    for name in ("a.md", "b.md", "c.md"):
        assert not isinstance(results[name], LoadError), results[name]


def test_a_file_that_eats_memory_is_stopped_and_the_rest_read(tmp_path: Path) -> None:
    names = ["a.md", "greedy.md", "b.md"]
    for name in names:
        (tmp_path / name).write_text(f"# {name}\n\ntext")
    pool = ParserPool(timeout=60, memory_mb=1024, loader=hostile.eat_memory_on_greedy)
    try:
        results = dict(pool.parse((n, tmp_path / n) for n in names))
    finally:
        pool.close()
    assert isinstance(results["greedy.md"], LoadError)
    assert "1024 MB" in str(results["greedy.md"])
    assert not isinstance(results["a.md"], LoadError)
    assert not isinstance(results["b.md"], LoadError)
