"""The manifest of a run: what it read (with sizes and checksums), with which tool and options,
what each stage did and how long it took, and how it ended."""

from __future__ import annotations

import hashlib
import platform
import re
from importlib import metadata
from pathlib import Path

from pipeline import store
from pipeline.paths import Paths

VOLATILE = ("started", "finished", "seconds")  # the only fields that differ between identical runs


def input_files(paths: Paths) -> list[dict]:
    """Every file of raw/<year>/, relative to it, with its size and sha256: of the bytes ingest
    read, for the returns it read, else of the file as it is now."""
    read = _read_returns(paths)
    present = {p.relative_to(paths.raw).as_posix(): p for p in paths.raw.rglob("*") if p.is_file()}
    out = []
    # NOTE: a return read and then removed is listed too: its figures are in the outputs
    for name in sorted(present.keys() | read.keys(), key=lambda n: n.split("/")):
        size, digest = read.get(name) or (present[name].stat().st_size, sha256(present[name]))
        out.append({"path": name, "size": size, "sha256": digest})
    return out


def _read_returns(paths: Paths) -> dict[str, tuple[int, str]]:
    """(size, sha256) of each return as ingest read it (its digests are taken from the very bytes
    read, so a province's returns are not read a second time)."""
    if not paths.ingested_returns.exists():
        return {}
    returns = store.read_csv(paths.ingested_returns)
    if "sha256" not in returns:
        return {}
    known = returns[returns["sha256"] != ""]
    return {
        f: (int(n), d)
        for f, n, d in zip(known["file"], known["bytes"], known["sha256"], strict=True)
    }


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
