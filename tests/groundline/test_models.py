import hashlib
import sys
import time
from pathlib import Path

import pytest

from groundline import models
from groundline.models import ModelError, ShippedGGUF, assemble, locate_embedding, locate_llm


@pytest.fixture
def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ShippedGGUF, bytes]:
    """Three tiny part packages on sys.path, laid out like the real model packages."""
    blobs = [b"GGUF" + bytes(range(200)), b"middle" * 100, b"tail"]
    for i, blob in enumerate(blobs, start=1):
        pkg = tmp_path / "site" / f"fakepart{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(blob)
        (pkg / "__init__.py").write_text(
            "import os\n"
            "def get_part_path():\n"
            f"    return os.path.join(os.path.dirname(__file__), 'data', 'part{i:02d}.bin')\n"
        )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    whole = b"".join(blobs)
    spec = ShippedGGUF(
        name="fake",
        filename="fake.gguf",
        size=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
        package_prefix="fakepart",
        module_prefix="fakepart",
        parts=3,
        version="1",
        licence="CC0",
        origin="test",
        extra="fake",
    )
    yield spec, whole
    for i in range(1, 4):
        sys.modules.pop(f"fakepart{i}", None)


def test_assembles_parts_in_order_and_verifies(
    fake_parts: tuple[ShippedGGUF, bytes], tmp_path: Path
) -> None:
    spec, whole = fake_parts
    path = assemble(spec, tmp_path / "cache")
    assert path.read_bytes() == whole
    assert not path.with_name("fake.gguf.partial").exists()


def test_second_call_reuses_the_verified_file(
    fake_parts: tuple[ShippedGGUF, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, _ = fake_parts
    first = assemble(spec, tmp_path / "cache")
    monkeypatch.setattr(models, "_sha256", lambda _: pytest.fail("re-hashed an unchanged file"))
    assert assemble(spec, tmp_path / "cache") == first


def test_wrong_checksum_refuses_to_load(
    fake_parts: tuple[ShippedGGUF, bytes], tmp_path: Path
) -> None:
    spec, _ = fake_parts
    bad = ShippedGGUF(**{**spec.__dict__, "sha256": "0" * 64})
    with pytest.raises(ModelError, match="refusing to load"):
        assemble(bad, tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []  # nothing half-made is left behind


def test_tampered_cache_file_is_detected(
    fake_parts: tuple[ShippedGGUF, bytes], tmp_path: Path
) -> None:
    spec, whole = fake_parts
    path = assemble(spec, tmp_path / "cache")
    time.sleep(0.01)
    path.write_bytes(b"X" + whole[1:])  # same size, different bytes, new mtime
    with pytest.raises(ModelError, match="sha256"):
        assemble(spec, tmp_path / "cache")


def test_missing_part_package_names_the_extra(
    fake_parts: tuple[ShippedGGUF, bytes], tmp_path: Path
) -> None:
    spec, _ = fake_parts
    missing = ShippedGGUF(**{**spec.__dict__, "parts": 4})
    with pytest.raises(ModelError, match=r"fakepart4.*groundline\[fake\]"):
        assemble(missing, tmp_path / "cache")


def test_unknown_llm_name_lists_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"qwen2\.5-coder-1\.5b"):
        locate_llm("gpt-5", tmp_path)


def test_user_gguf_path_is_accepted(tmp_path: Path) -> None:
    own = tmp_path / "mine.gguf"
    own.write_bytes(b"GGUF")
    assert locate_llm(str(own), tmp_path / "cache") == own


@pytest.mark.slow
def test_shipped_small_model_assembles_with_qwens_checksum(model_dir: Path) -> None:
    path = locate_llm("qwen2.5-coder-0.5b", model_dir)
    assert path.stat().st_size == models.SHIPPED_LLMS["qwen2.5-coder-0.5b"].size
    assert models.status(model_dir)[1].verified


def test_shipped_embedding_model_is_on_disk() -> None:
    path = locate_embedding("all-MiniLM-L6-v2")
    assert (path / "config.json").is_file()
