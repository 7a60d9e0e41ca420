"""SIGKILL a real `groundline ingest --sync` mid-run, re-run it, and compare with a clean ingest."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from qdrant_client import QdrantClient

from ingest.pipeline import SourceFile, content_hash
from tests.test_cli_e2e import _env, groundline

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FILES = 40


def _write_docs(root: Path, version: str) -> None:
    root.mkdir(exist_ok=True)
    for i in range(FILES):
        sections = "\n\n".join(
            f"## Topic {j}\n\n"
            + f"Version {version} of article {i}, topic {j}: "
            + "the quick brown fox jumps over the lazy dog. " * 12
            for j in range(6)
        )
        (root / f"article-{i:02d}.md").write_text(f"# Article {i}\n\n{sections}\n")


def _snapshot(data: Path) -> tuple[dict[str, str], list[str]]:
    """Registry (id -> hash) and the chunk ids in Qdrant, duplicates and all."""
    with sqlite3.connect(data / "registry.sqlite3") as db:
        registry = dict(db.execute("SELECT id, hash FROM documents WHERE status = 'ok'"))
    client = QdrantClient(path=str(data / "qdrant"))
    try:
        points, _ = client.scroll("docs", limit=100_000, with_payload=False)
        ids = sorted(str(p.id) for p in points)
        count = client.count("docs", exact=True).count
    finally:
        client.close()
    assert count == len(ids)
    return registry, ids


def _registered(data: Path, marker_hashes: set[str]) -> int:
    try:
        with sqlite3.connect(data / "registry.sqlite3", timeout=1) as db:
            hashes = [h for (h,) in db.execute("SELECT hash FROM documents")]
    except sqlite3.Error:
        return 0
    return sum(h in marker_hashes for h in hashes)


def _kill_midway(env: dict[str, str], docs: Path, data: Path, target: set[str]) -> None:
    """Start a sync and SIGKILL it (and its reading worker) once some documents are done."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "groundline", "ingest", str(docs), "--sync"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while _registered(data, target) < 5:
        assert proc.poll() is None, "ingest finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _registered(data, target) < FILES, "killed too late to test anything"


def _hashes(docs: Path) -> set[str]:
    """The versions the registry will hold for the files (their bytes and how they are read)."""
    return {content_hash(SourceFile(p.name, p)) for p in docs.iterdir()}


def test_killed_sync_rerun_equals_a_clean_ingest(tmp_path: Path, model_dir: Path) -> None:
    docs = tmp_path / "docs"
    clean_env = _env(tmp_path / "clean", model_dir)
    # Small batches, so documents are registered one after another and a kill lands mid-run.
    crash_env = _env(tmp_path / "crash", model_dir) | {"GROUNDLINE_INGEST__BATCH_CHUNKS": "8"}
    crash_data = Path(crash_env["GROUNDLINE_DATA_DIR"])

    # 1. Killed while adding version A, then re-run.
    _write_docs(docs, "A")
    _kill_midway(crash_env, docs, crash_data, _hashes(docs))
    assert groundline(crash_env, "ingest", str(docs), "--sync").returncode == 0

    # 2. Killed while replacing every document with version B, then re-run.
    _write_docs(docs, "B")
    _kill_midway(crash_env, docs, crash_data, _hashes(docs))
    assert groundline(crash_env, "ingest", str(docs), "--sync").returncode == 0

    assert groundline(clean_env, "ingest", str(docs), "--sync").returncode == 0
    crash_registry, crash_ids = _snapshot(crash_data)
    clean_registry, clean_ids = _snapshot(Path(clean_env["GROUNDLINE_DATA_DIR"]))
    assert crash_registry == clean_registry
    assert len(crash_registry) == FILES
    assert crash_ids == clean_ids  # same chunks, no duplicates, no orphans of version A
