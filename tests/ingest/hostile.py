"""Loaders that misbehave, for the parser-pool tests (module-level: the worker imports them)."""

import time
from pathlib import Path

from ingest.loaders import LoadedDocument, load


def hang_on_hang(path: Path) -> LoadedDocument:
    if "hang" in path.name:
        time.sleep(3600)
    return load(path)


def eat_memory_on_greedy(path: Path) -> LoadedDocument:
    if "greedy" in path.name:
        hoard = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GB
        del hoard
    return load(path)
