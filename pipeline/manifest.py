"""The manifest of a run: what it read (with sizes and checksums), with which tool and options,
what each stage did and how long it took, and how it ended."""

from __future__ import annotations

import hashlib
import platform
import re
from importlib import metadata
from pathlib import Path

from pipeline.paths import Paths

VOLATILE = ("started", "finished", "seconds")  # the only fields that differ between identical runs


def input_files(paths: Paths) -> list[dict]:
    """Every file of raw/<year>/, relative to it, with its size and sha256."""
    out = []
    for path in sorted((p for p in paths.raw.rglob("*") if p.is_file()), key=lambda p: p.parts):
        out.append(
            {
                "path": path.relative_to(paths.raw).as_posix(),
                "size": path.stat().st_size,
                "sha256": sha256(path),
            }
        )
    return out


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def versions() -> dict:
    """The tool's version, Python's, and the installed version of each declared dependency."""
    out = {"xxgk": _version("xxgk"), "python": platform.python_version()}
    for requirement in metadata.requires("xxgk") or []:
        if "extra ==" in requirement:
            continue
        name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]
        out[name] = _version(name)
    return out


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "未安装"


def manifest(
    paths: Paths,
    options: dict,
    stages: list[dict],
    exit_code: int,
    status: str,
    started: str,
    finished: str,
) -> dict:
    """The manifest of one run, ready to be written as JSON."""
    return {
        "year": paths.year,
        "started": started,
        "finished": finished,
        "options": options,
        "versions": versions(),
        "inputs": input_files(paths),
        "stages": stages,
        "exit": {"code": exit_code, "status": status},
    }
