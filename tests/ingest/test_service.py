"""The ingestion HTTP API on a real knowledge base, and `groundline ingest` sent to a server."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from groundline.kb import KnowledgeBase
from ingest.cli import build_ingestor
from ingest.service import IngestService, build_router, mount, safe_id
from tests.conftest import SAMPLES
from tests.test_cli_e2e import _env, groundline, start_server

TOKEN = "s3cret-token"


@pytest.fixture
def client(kb: KnowledgeBase) -> TestClient:
    kb.settings.api.token = TOKEN
    service = IngestService(kb, build_ingestor(kb))
    app = FastAPI()

    @app.get("/{full_path:path}")  # like Chainlit's catch-all, registered before our routes
    async def spa(full_path: str) -> str:
        return "spa"

    mount(app, build_router(kb.settings, lambda: service))
    return TestClient(app)


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_safe_ids_stay_inside_the_upload_dir() -> None:
    assert safe_id("../../etc/passwd") == "etc/passwd"
    assert safe_id("/abs/guide.md") == "abs/guide.md"
    assert safe_id("team\\notes.md") == "team/notes.md"
    with pytest.raises(ValueError, match="usable"):
        safe_id("../..")


@pytest.mark.slow
def test_without_or_with_a_wrong_token_nothing_is_allowed(client: TestClient) -> None:
    assert client.get("/api/documents").status_code == 401
    assert client.get("/api/documents", headers={"Authorization": "Bearer nope"}).status_code == 401
    upload = client.post("/api/documents", files={"file": ("a.md", b"# A\n\ntext")})
    assert upload.status_code == 401
    assert client.delete("/api/documents/a.md").status_code == 401
    assert client.post("/api/sync", json={"path": str(SAMPLES)}).status_code == 401


@pytest.mark.slow
def test_no_token_configured_means_the_api_is_off(client: TestClient, kb: KnowledgeBase) -> None:
    kb.settings.api.token = ""
    response = client.get("/api/documents", headers=AUTH)
    assert response.status_code == 403
    assert "GROUNDLINE_API__TOKEN" in response.json()["detail"]
    kb.settings.api.auth = False  # local development
    assert client.get("/api/documents").status_code == 200


@pytest.mark.slow
def test_upload_list_delete(client: TestClient, kb: KnowledgeBase) -> None:
    data = (SAMPLES / "payroll.html").read_bytes()
    response = client.post(
        "/api/documents",
        files={"file": ("payroll.html", data)},
        data={"id": "hr/payroll.html"},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 1
    listed = client.get("/api/documents", headers=AUTH).json()
    assert [d["id"] for d in listed] == ["hr/payroll.html"]
    assert listed[0]["chunks"] > 0
    assert kb.count() == listed[0]["chunks"]
    again = client.post(
        "/api/documents",
        files={"file": ("payroll.html", data)},
        data={"id": "hr/payroll.html"},
        headers=AUTH,
    )
    assert again.json()["unchanged"] == 1
    assert client.delete("/api/documents/hr/payroll.html", headers=AUTH).status_code == 200
    assert client.get("/api/documents", headers=AUTH).json() == []
    assert kb.count() == 0
    assert client.delete("/api/documents/hr/payroll.html", headers=AUTH).status_code == 404


@pytest.mark.slow
def test_upload_with_groups_labels_every_chunk(client: TestClient, kb: KnowledgeBase) -> None:
    def upload(groups: str) -> dict[str, object]:
        response = client.post(
            "/api/documents",
            files={"file": ("notes.md", b"# Notes\n\nStaff only: the VPN code rotates weekly.")},
            data={"groups": groups},
            headers=AUTH,
        )
        result: dict[str, object] = response.json()
        return result

    assert upload("staff, hr")["added"] == 1
    points, _ = kb.client.scroll(kb.settings.collection, with_payload=True)
    assert [p.payload["groups"] for p in points if p.payload] == [["hr", "staff"]]
    assert upload("hr,staff")["unchanged"] == 1  # same bytes, same groups
    assert upload("staff")["updated"] == 1  # same bytes, new groups: a new version
    points, _ = kb.client.scroll(kb.settings.collection, with_payload=True)
    assert [p.payload["groups"] for p in points if p.payload] == [["staff"]]


@pytest.mark.slow
def test_sync_a_server_side_directory(client: TestClient, kb: KnowledgeBase) -> None:
    dry = client.post("/api/sync", json={"path": str(SAMPLES), "dry_run": True}, headers=AUTH)
    assert dry.json()["added"] == 14
    assert kb.count() == 0
    done = client.post("/api/sync", json={"path": str(SAMPLES)}, headers=AUTH)
    assert done.status_code == 200
    assert done.json()["added"] == 14
    missing = client.post("/api/sync", json={"path": "/no/such/dir"}, headers=AUTH)
    assert missing.status_code == 404


@pytest.mark.e2e
@pytest.mark.slow
def test_ingest_is_sent_to_the_running_server(tmp_path: Path, model_dir: Path) -> None:
    env = _env(tmp_path, model_dir) | {"GROUNDLINE_API__TOKEN": TOKEN}
    server, port = start_server(env)
    try:
        deadline = time.monotonic() + 120
        server_file = Path(env["GROUNDLINE_DATA_DIR"]) / "server.json"
        while not server_file.exists():
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline
            time.sleep(0.5)
        result = groundline(env, "ingest", str(SAMPLES), "--json")
        assert result.returncode == 0, result.stderr
        assert "sending it the work" in result.stderr
        assert json.loads(result.stdout)["added"] == 14
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/documents", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert len(json.load(response)) == 14
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not server_file.exists()  # withdrawn on shutdown
