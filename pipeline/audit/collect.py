"""The files an audit reads: every file in the paths given, junk skipped, each with its name."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from pipeline.inputs import CannotStart
from pipeline.paths import JUNK_NAMES, JUNK_PREFIXES, readable_name


def junk(path: Path) -> bool:
    """Whether a file is what programs leave beside documents (`~$x.docx`, `.DS_Store`, hidden
    files), not a report."""
    name = path.name
    return name.startswith(JUNK_PREFIXES) or name in JUNK_NAMES or name.startswith(".")


def audit_files(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    """Every file to read in `paths` (folders recursively, junk and hidden folders skipped), each
    with the name the outputs give it: its path inside the folder given, or its own name."""
    out: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for given in paths:
        if not given.exists():
            raise CannotStart(f"找不到 {given}（请检查要审核的文件或文件夹）")
        if given.is_file():
            found = [(given, given.name)]
        else:
            found = []
            for p in sorted(_walk(given), key=lambda p: p.parts):
                found.append((p, p.relative_to(given).as_posix()))
        for path, name in found:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                out.append((path, readable_name(name)))
    names = Counter(name for _, name in out)
    # NOTE: two files shown alike (the same name in two folders given) are told apart by the
    # path as given
    return [(p, readable_name(p.as_posix()) if names[n] > 1 else n) for p, n in out]


def _walk(folder: Path) -> Iterator[Path]:
    """Every file under `folder` that may be a report, hidden files and folders skipped."""
    for entry in folder.iterdir():
        if entry.name.startswith("."):
            continue  # NOTE: hidden folders (.git) and files are never reports
        if entry.is_dir():
            yield from _walk(entry)
        elif entry.is_file() and not junk(entry):
            yield entry
