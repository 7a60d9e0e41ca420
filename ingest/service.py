"""The ingestion HTTP API, served by the chat app's process (embedded Qdrant allows one), and
the client `groundline ingest` uses when such a server is running."""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, FastAPI, File, Form, Header, HTTPException, UploadFile
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from groundline.kb import KnowledgeBase
from groundline.settings import Settings
from ingest.pipeline import Ingestor, IngestReport, SourceFile, remove_document


class SyncRequest(BaseModel):
    """Directories (or files) on the server to ingest; by default the collection is made to
    match them (documents not among them are deleted)."""

    path: str | None = None
    paths: list[str] = []
    dry_run: bool = False
    delete_missing: bool = True


class IngestService:
    """What the API does, one ingest at a time, beside the chat that keeps answering."""

    def __init__(self, kb: KnowledgeBase, ingestor: Ingestor) -> None:
        self.kb = kb
        self._ingestor = ingestor
        self._busy = threading.Lock()

    def upload(
        self, filename: str, data: bytes, doc_id: str | None, groups: tuple[str, ...] = ()
    ) -> IngestReport:
        doc_id = safe_id(doc_id or filename)
        target = self.kb.settings.upload_dir / doc_id
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        with self._busy:
            return self._ingestor.ingest_files([SourceFile(doc_id, target, groups)])

    def sync(self, request: SyncRequest) -> IngestReport:
        paths = [Path(p) for p in [*([request.path] if request.path else []), *request.paths]]
        if not paths:
            raise FileNotFoundError("no path given")
        for path in paths:
            if not path.exists():
                raise FileNotFoundError(f"{path} does not exist on the server")
        with self._busy:
            return self._ingestor.ingest(
                paths, sync=request.delete_missing, dry_run=request.dry_run
            )

    def remove(self, doc_id: str) -> bool:
        with self._busy:
            return remove_document(self.kb, doc_id)


def safe_id(name: str) -> str:
    """A document id usable as a relative path under the upload dir (no '..', no root)."""
    parts = [
        p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "..", "/")
    ]
    if not parts:
        raise ValueError(f"{name!r} is not a usable document id")
    return "/".join(parts)


def build_router(settings: Settings, service: Callable[[], IngestService]) -> APIRouter:
    """/api/documents and /api/sync, behind a bearer token."""

    def authorise(authorization: Annotated[str | None, Header()] = None) -> None:
        if not settings.api.auth:
            return
        if not settings.api.token:
            raise HTTPException(
                403,
                "The ingestion API is off: set GROUNDLINE_API__TOKEN (or GROUNDLINE_API__AUTH="
                "false for local development).",
            )
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(token, settings.api.token):
            raise HTTPException(401, "Missing or wrong bearer token.")

    router = APIRouter(prefix="/api", dependencies=[Depends(authorise)])

    @router.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/documents")
    async def list_documents() -> list[dict[str, object]]:
        return [r.public() for r in service().kb.registry.all()]

    @router.post("/documents")
    async def upload(
        file: Annotated[UploadFile, File()],
        id: Annotated[str | None, Form()] = None,
        groups: Annotated[str | None, Form()] = None,
    ) -> dict[str, object]:
        data = await file.read()
        labels = tuple(sorted({g.strip() for g in (groups or "").split(",") if g.strip()}))
        name = file.filename or "upload"
        try:
            report = await run_in_threadpool(service().upload, name, data, id, labels)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc
        return report.as_json()

    @router.delete("/documents/{doc_id:path}")
    async def delete(doc_id: str) -> dict[str, str]:
        if not await run_in_threadpool(service().remove, doc_id):
            raise HTTPException(404, f"No document with id {doc_id!r}.")
        return {"deleted": doc_id}

    @router.post("/sync")
    async def sync(request: SyncRequest) -> dict[str, object]:
        try:
            report = await run_in_threadpool(service().sync, request)
        except FileNotFoundError as exc:
            raise HTTPException(404, str(exc)) from exc
        return report.as_json()

    return router


def mount(app: FastAPI, router: APIRouter) -> None:
    """Add the routes ahead of the app's own (Chainlit ends with a catch-all GET route)."""
    before = len(app.router.routes)
    app.include_router(router)
    added = app.router.routes[before:]
    del app.router.routes[before:]
    app.router.routes[0:0] = added


# --- the CLI's side ----------------------------------------------------------------------


def announce(settings: Settings, url: str) -> None:
    """Tell later `groundline ingest` runs where this server is."""
    settings.server_file.write_text(json.dumps({"url": url, "pid": os.getpid()}))


def withdraw(settings: Settings) -> None:
    settings.server_file.unlink(missing_ok=True)


def running_server(settings: Settings) -> str | None:
    """The URL of a live Groundline server on this data dir, if there is one."""
    try:
        url = str(json.loads(settings.server_file.read_text())["url"])
    except (OSError, ValueError, KeyError):
        return None
    try:
        httpx.get(f"{url}/api/health", headers=_auth(settings), timeout=3)
    except httpx.HTTPError:
        return None
    return url


def _auth(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.api.token}"} if settings.api.token else {}


class RemoteError(RuntimeError):
    """The server refused or failed the request; the message is the server's."""


def remote_ingest(
    settings: Settings, url: str, paths: list[Path], sync: bool, dry_run: bool
) -> dict[str, Any]:
    """Send `ingest` to the running server as a server-side sync of these paths."""
    body = {"paths": [str(p.resolve()) for p in paths], "dry_run": dry_run, "delete_missing": sync}
    response = httpx.post(f"{url}/api/sync", json=body, headers=_auth(settings), timeout=None)
    if response.status_code != 200:
        raise RemoteError(f"{url} answered {response.status_code}: {response.text}")
    result: dict[str, Any] = response.json()
    return result
