"""What a file may be before any reader touches it: one snapshot of its bytes, and the limits that stop a hostile file (a zip bomb, a million rows, a text of megabytes)."""

from __future__ import annotations

import errno
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.inputs import read_config, read_units  # noqa: F401  (the run's own inputs)
from pipeline.oserrors import os_reason
from pipeline.paths import readable_name


class UnreadableFile(Exception):
    """A file that could not be opened as a spreadsheet; the message says why, in Chinese, and
    `rule` names the finding it makes."""

    def __init__(self, reason: str, rule: str = "file.unreadable"):
        super().__init__(reason)
        self.rule = rule


def _snapshot(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes, read once; raises if it is bigger than `limit` (LIMITS.file_bytes when
    not given), not a file (a broken link, a link loop, a pipe), or vanished or changed while
    read."""
    limit = LIMITS.file_bytes if limit is None else limit
    try:
        before = path.stat()
        if not stat.S_ISREG(before.st_mode):
            raise UnreadableFile(_not_a_file(before.st_mode))
        if before.st_size > limit:
            raise _too_big(before.st_size, limit)
        data = _contents(path, limit)
        after = path.stat()
    except FileNotFoundError as exc:
        if path.is_symlink():
            raise UnreadableFile(_broken_link(path)) from exc
        raise UnreadableFile("在读取时已被删除或移走", "file.changed") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnreadableFile("是一个循环指向自身的链接（快捷方式），无法打开") from exc
        raise UnreadableFile(f"读取失败（{os_reason(exc)}，错误代码 {exc.errno}）") from exc
    changed = (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns)
    if changed or len(data) != after.st_size:
        raise UnreadableFile(
            f"在读取过程中被改动（读取前{before.st_size}字节，读取后{after.st_size}字节"
            f"{'，修改时间也不同' if before.st_mtime_ns != after.st_mtime_ns else ''}）",
            "file.changed",
        )
    if not data:
        raise UnreadableFile("文件为空（0字节）")
    return data


def _contents(path: Path, limit: int) -> bytes:
    # NOTE: opened without waiting: a pipe put where the file was would otherwise wait forever
    # for a writer; what was opened is read only if it is a file
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as f:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UnreadableFile(_not_a_file(mode))
        return f.read(limit + 1)


def _not_a_file(mode: int) -> str:
    """Why an entry that is not a regular file is not read, in words."""
    what = (
        "文件夹"
        if stat.S_ISDIR(mode)
        else "命名管道（FIFO）"
        if stat.S_ISFIFO(mode)
        else "套接字（socket）"
        if stat.S_ISSOCK(mode)
        else "设备文件"
    )
    return f"不是普通文件，而是{what}，未读取"


def _broken_link(path: Path) -> str:
    try:
        target = os.readlink(path)
    except OSError:
        target = ""
    shown = f"“{readable_name(target)}”" if target else ""
    return f"是一个链接（快捷方式），它指向的文件{shown}不存在"


# -- hostile files: checked before any reader (calamine, openpyxl) touches them ---------------------
@dataclass(frozen=True)
class Limits:
    """What a return may be. A real return is 30–60 KB, with 5–6 sheets of a few dozen rows; each
    limit leaves room for a department's own bigger workbook, and stops a hostile file before it
    costs minutes or gigabytes."""

    # the whole file is read into memory once; 20 MB is 300 times a real return
    file_bytes: int = 20 * 2**20
    # zip entries: a return has 10–30 (sheets, styles, theme, printer settings, a few images)
    parts: int = 1_000
    # one entry inflated: a real sheet's XML is 50–300 KB; calamine holds a whole part in memory
    part_bytes: int = 64 * 2**20
    # every entry inflated, together
    total_bytes: int = 256 * 2**20
    # inflated ÷ compressed: sheet XML deflates 5–30×, a zip bomb about 1,000×; parts under
    # `ratio_grace` are not judged by it (Apache POI's ZipSecureFile works the same way)
    ratio: int = 200
    ratio_grace: int = 2**20
    # a return has 5–6; a department's whole workbook a few dozen
    sheets: int = 200
    # rows of one sheet: a return has a few dozen
    rows: int = 10_000
    # rows × columns over all sheets: calamine builds every sheet as a full grid (≈ 32 bytes a
    # cell, then a Python list), so one cell at XFD1048576 would cost gigabytes; 500,000 is
    # 250 times a return (≈ 2,000) and at most ≈ 40 MB
    cells: int = 500_000
    # one text run of the XML (a cell's text, a shared string): Excel holds at most 32,767
    # characters in a cell, under 256 KB even as 8-byte character references
    text_bytes: int = 2**18


LIMITS = Limits()


_CHUNK = 2**16


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _inflated(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """One zip entry's bytes in chunks, inflated here with a cap: never more than its declared
    size (an entry that inflates past it has a lying header)."""
    start = info.header_offset
    head = data[start : start + 30]
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise UnreadableFile(f"不是有效的电子表格文件或文件已损坏（部件“{info.filename}”）")
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    start += 30 + name_len + extra_len
    raw = memoryview(data)[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        for i in range(0, min(len(raw), info.file_size), _CHUNK):
            yield bytes(raw[i : min(i + _CHUNK, info.file_size)])
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise UnreadableFile(f"部件“{info.filename}”使用了电子表格不用的压缩方式")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    left = info.file_size
    try:
        for i in range(0, len(raw), _CHUNK):
            pending: bytes | memoryview = raw[i : i + _CHUNK]
            while pending:
                out = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                left -= len(out)
                if left < 0:
                    raise UnreadableFile(
                        f"的部件“{info.filename}”解压后超过其声明的{_size(info.file_size)}"
                        f"（压缩包目录不实）",
                        "file.zip_bomb",
                    )
                if out:
                    yield out
                if inflater.eof:
                    return
    except zlib.error as exc:
        raise UnreadableFile(
            f"不是有效的电子表格文件或文件已损坏（部件“{info.filename}”：{exc}）"
        ) from exc


def _xml_pieces(chunks: Iterator[bytes], part: str) -> Iterator[bytes]:
    """The XML of a part in pieces that end at a tag's end, with every text run checked for
    length (a text run never straddles two pieces)."""
    carry = b""
    for chunk in chunks:
        buf = carry + chunk
        end = buf.rfind(b">") + 1
        piece, carry = buf[:end], buf[end:]
        if len(carry) > LIMITS.text_bytes or _long_text(piece):
            raise _long(part)
        if piece:
            yield piece
    if len(carry) > LIMITS.text_bytes:
        raise _long(part)


_LONG_TEXT = re.compile(rb">[^<]{%d}" % LIMITS.text_bytes)


def _long_text(piece: bytes) -> bool:
    return len(piece) > LIMITS.text_bytes and _LONG_TEXT.search(piece) is not None


def _long(part: str) -> UnreadableFile:
    return UnreadableFile(
        f"的部件“{part}”中有超过{_size(LIMITS.text_bytes)}的文本（Excel一个单元格最多32767个字符）",
        "file.long_text",
    )


def _too_big(size: int, limit: int | None = None) -> UnreadableFile:
    limit = LIMITS.file_bytes if limit is None else limit
    return UnreadableFile(f"大小为{size:,}字节（上限{_size(limit)}）", "file.too_large")


def _size(n: int) -> str:
    for unit, size in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + unit
    return f"{n}字节"
