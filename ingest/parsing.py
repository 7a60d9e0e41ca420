"""Parse files in a worker process, ahead of the embedder: a file that hangs or eats memory is
stopped and reported, never the whole ingest."""

from __future__ import annotations

import multiprocessing
import resource
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from typing import TypeVar

from ingest.loaders import LoadedDocument, LoadError, load

T = TypeVar("T")


def _limit_memory(max_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


class ParserPool:
    """One worker process, a few files ahead; yields each file's document or its LoadError."""

    def __init__(
        self,
        timeout: float,
        memory_mb: int,
        ahead: int = 4,
        loader: Callable[[Path], LoadedDocument] = load,
    ) -> None:
        self._loader = loader  # a module-level function: the worker process imports it
        self._timeout = timeout
        self._memory = memory_mb * 1024 * 1024
        self._ahead = ahead
        self._pool: Pool | None = None

    def _start(self) -> Pool:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")  # no fork of a process running torch
            self._pool = context.Pool(1, initializer=_limit_memory, initargs=(self._memory,))
        return self._pool

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def parse(
        self, items: Iterable[tuple[T, Path]]
    ) -> Iterator[tuple[T, LoadedDocument | LoadError]]:
        todo = deque(items)
        running: deque[tuple[T, Path, AsyncResult[LoadedDocument]]] = deque()
        while todo or running:
            while todo and len(running) < self._ahead:
                key, path = todo.popleft()
                running.append((key, path, self._start().apply_async(self._loader, (path,))))
            key, path, result = running.popleft()
            try:
                yield key, result.get(self._timeout)
            except LoadError as exc:
                yield key, exc
            except (multiprocessing.TimeoutError, MemoryError) as exc:
                if isinstance(exc, MemoryError):
                    limit = self._memory // (1024 * 1024)
                    reason = f"needs more than the {limit} MB reading limit: stopped"
                else:
                    reason = f"took longer than {self._timeout:g} s to read: stopped"
                yield key, LoadError(reason)
                # The worker is stuck or spent: replace it, resubmit what was queued behind it.
                todo.extendleft(reversed([(k, p) for k, p, _ in running]))
                running.clear()
                self._restart()
            except Exception as exc:  # any parser bug on a hostile file: report, carry on
                yield key, LoadError(f"could not be read ({type(exc).__name__}: {exc})")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None
