"""The files an audit reads: every file in the paths given, junk skipped (and listed), each with its name."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from pipeline.inputs import CannotStart
from pipeline.paths import listing, readable_name


def audit_files(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    """Every file to read in `paths` (folders recursively, junk and hidden folders skipped), each
    with the name the outputs give it: its path inside the folder given, or its own name."""
    return audit_listing(paths)[0]


def audit_listing(paths: Sequence[Path]) -> tuple[list[tuple[Path, str]], list[str]]:
    """The files to read in `paths`, each with its name (`audit_files`), and the names of what
    was skipped as junk (`paths.junk`: owner, lock and temporary files, hidden files and folders)."""
    out: list[tuple[Path, str]] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for given in paths:
        if not given.exists() and not given.is_symlink():
            raise CannotStart(f"找不到 {given}（请检查要审核的文件或文件夹）")
        if not given.is_dir():
            # NOTE: a file named on the command line is read whatever its name (a broken link
            # too: its reader says so)
            found = [(given, given.name)]
        else:
            listed = listing(given)
            found = [(p, p.relative_to(given).as_posix()) for p in listed.files]
            skipped += [readable_name(p.relative_to(given).as_posix()) for p in listed.skipped]
        for path, name in found:
            key = os.path.realpath(path)  # NOTE: Path.resolve raises on a link loop
            if key not in seen:
                seen.add(key)
                out.append((path, readable_name(name)))
    names = Counter(name for _, name in out)
    # NOTE: two files shown alike (the same name in two folders given) are told apart by the
    # path as given
    return [(p, readable_name(p.as_posix()) if names[n] > 1 else n) for p, n in out], skipped
