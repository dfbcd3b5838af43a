"""An exclusive lock on a file, held for a block: one run at a time per output folder. The lock is
`fcntl.flock`'s, so the system lets go of it when its holder ends, even killed."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(path: Path, wait: float, busy: Callable[[], Exception]) -> Iterator[int]:
    """Hold the lock of the file at `path` (made if absent) for the block, waiting up to `wait`
    seconds for another holder; the file's open descriptor. Raises `busy()` when it waited in
    vain. The file stays: a process waiting on it must lock the same file as the next one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise busy() from None
                time.sleep(0.1)
        yield fd
    finally:
        os.close(fd)  # NOTE: closing releases the lock
