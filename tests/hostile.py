"""A corpus of hostile files, each with the finding it must give, beside good returns under odd names.

`corpus(folder, year, units)` writes every file into `folder` (one unit each, from `units`) and
returns what reading each must give: the rule of its finding (empty for none) and whether it
is still received. Nothing here is committed as a file: the tests generate the corpus into a
temporary folder. Big files are made cheaply: a zip bomb's deflate stream is one compressed
block written again and again (after a full flush each block compresses to the same bytes, so
gigabytes cost a few megabytes and no time), a million rows are streamed into the zip, and a
file over the size limit is sparse.
"""

from __future__ import annotations

import io as _io
import itertools
import os
import random
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.files.limits import LIMITS
from pipeline.render.workbook import write_return
from scripts.messy import figures


@dataclass(frozen=True)
class Case:
    """One file of the corpus: its name under returns/, its unit, the rule of the finding it must
    give ("" for none), and whether it must still be received."""

    file: str
    unit: str
    rule: str
    received: bool


@dataclass(frozen=True)
class Deflated:
    """A zip entry given as a raw deflate stream, with the size and CRC its headers declare."""

    chunks: Iterable[bytes]
    size: int
    crc: int = 0


def good_return(unit: str, year: int, seed: int = 1) -> bytes:
    """A consistent return of `unit` in the project's template."""
    buffer = _io.BytesIO()
    write_return(buffer, unit, year, figures(seed))
    return buffer.getvalue()


def entries(data: bytes) -> dict[str, bytes]:
    """The parts of a zip, by name."""
    with zipfile.ZipFile(_io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write_zip(path: Path, parts: dict[str, bytes | Deflated]) -> None:
    """A zip written by hand, so that an entry can declare what it likes."""
    central = []
    with path.open("wb") as out:
        for name, part in parts.items():
            if isinstance(part, bytes):
                z = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
                part = Deflated([z.compress(part) + z.flush()], len(part), zlib.crc32(part))
            offset = out.tell()
            encoded = name.encode()
            head = struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, 0, 0, 0, len(encoded), 0
            )
            out.write(head + encoded)
            compressed = 0
            for chunk in part.chunks:
                out.write(chunk)
                compressed += len(chunk)
            end = out.tell()
            out.seek(offset + 14)
            out.write(struct.pack("<III", part.crc, compressed, part.size))
            out.seek(end)
            central.append(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    20,
                    20,
                    0,
                    8,
                    0,
                    0x21,
                    part.crc,
                    compressed,
                    part.size,
                    len(encoded),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + encoded
            )
        start = out.tell()
        directory = b"".join(central)
        out.write(directory)
        out.write(
            struct.pack(
                "<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(directory), start, 0
            )
        )


# -- the hostile parts ----------------------------------------------------------------------------
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def bomb(size: int) -> Iterator[bytes]:
    """A deflate stream of a sheet padded with `size` bytes of blanks, made of one block repeated."""
    block = b" " * 2**20
    z = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    yield z.compress(SHEET_HEAD) + z.flush(zlib.Z_FULL_FLUSH)
    once = z.compress(block) + z.flush(zlib.Z_FULL_FLUSH)
    for _ in range(size // len(block)):
        yield once
    yield z.compress(SHEET_TAIL) + z.flush()


def million_rows(rows: int = 1_000_000) -> Deflated:  # rows: a multiple of 10,000
    """A sheet of `rows` rows, one number each, streamed into a deflate stream."""
    z = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
    chunks, size, crc = [], 0, 0
    for piece in _rows(rows):
        chunks.append(z.compress(piece))
        size, crc = size + len(piece), zlib.crc32(piece, crc)
    chunks.append(z.flush())
    return Deflated(chunks, size, crc)


def _rows(rows: int, batch: int = 10_000) -> Iterator[bytes]:
    yield SHEET_HEAD
    template = b'<row r="%d"><c r="A%d"><v>1</v></c></row>' * batch
    for start in range(1, rows + 1, batch):
        numbers = range(start, start + batch)
        # NOTE: one %-format per batch of rows (not one per row) keeps a million rows under a second
        yield template % tuple(itertools.chain.from_iterable(zip(numbers, numbers, strict=True)))
    yield SHEET_TAIL


def far_cell() -> bytes:
    """A sheet of two cells, A1 and XFD1048576: calamine would build the grid between them."""
    return (
        SHEET_HEAD
        + b'<row r="1"><c r="A1"><v>1</v></c></row>'
        + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        + SHEET_TAIL
    )


def long_shared_string(parts: dict[str, bytes], size: int = 10 * 2**20) -> bytes:
    """The shared strings of `parts` with one more string of `size` bytes that hardly compress."""
    rng = random.Random(6)
    block = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(2**16))
    text = block * (size // len(block))
    strings = parts["xl/sharedStrings.xml"]
    return strings.replace(b"</sst>", b"<si><t>" + text + b"</t></si></sst>")


def many_sheets(parts: dict[str, bytes], n: int) -> bytes:
    """The workbook part listing `n` sheets, every one the first sheet's part."""
    book = parts["xl/workbook.xml"]
    start, end = book.index(b"<sheets>") + len(b"<sheets>"), book.index(b"</sheets>")
    listed = b"".join(
        b'<sheet name="S%d" sheetId="%d" r:id="rId1"/>' % (i, i + 1) for i in range(n)
    )
    return book[:start] + listed + book[end:]


def external_link(parts: dict[str, bytes]) -> dict[str, bytes]:
    """`parts` with a link to another workbook, as Excel writes one (never to be followed)."""
    rels = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/externalLink" Target="externalLinks/externalLink1.xml"/></Relationships>',
    )
    link = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames>'
        b"</externalBook></externalLink>"
    )
    link_rels = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/externalLinkPath" Target="file:///C:/%E6%B1%87%E6%80%BB/other.xlsx" '
        b'TargetMode="External"/></Relationships>'
    )
    return parts | {
        "xl/_rels/workbook.xml.rels": rels,
        "xl/externalLinks/externalLink1.xml": link,
        "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels,
    }


# -- the corpus -----------------------------------------------------------------------------------
ODD_NAMES = [
    '=HYPERLINK("x")年报.xlsx',
    "+86年报.xlsx",
    "-rf 年报.xlsx",
    "@SUM(A1)年报.xlsx",
    "..年报..xlsx",
    "..\\..\\年报.xlsx",  # a Windows path, one name here
    "年报\n第二版\t.xlsx",
    "报" * 80 + ".xlsx",  # 245 bytes, near the 255 a file name may have
]


def corpus(folder: Path, year: int, units: list[str]) -> list[Case]:
    """Write every hostile file and the good returns beside them into `folder`; what each gives."""
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []
    names = iter(units)

    def hostile(variant: str, rule: str, write, received: bool = False, suffix: str = ".xlsx"):
        unit = next(names)
        path = folder / f"{unit}{year}年（{variant}）{suffix}"
        write(path, unit)
        cases.append(Case(path.name, unit, rule, received))

    def parts(unit: str) -> dict[str, bytes]:
        return entries(good_return(unit, year))

    sheet = "xl/worksheets/sheet2.xml"
    hostile(
        "压缩炸弹",
        "file.zip_bomb",
        lambda p, u: write_zip(p, parts(u) | {sheet: Deflated(bomb(2 * 2**30), 2 * 2**30)}),
    )
    hostile(
        "目录不实",
        "file.zip_bomb",
        lambda p, u: write_zip(p, parts(u) | {sheet: Deflated(bomb(2 * 2**30), 60_000)}),
    )
    hostile(
        "百万行", "file.too_large", lambda p, u: write_zip(p, parts(u) | {sheet: million_rows()})
    )
    hostile(
        "远处单元格", "file.too_large", lambda p, u: write_zip(p, parts(u) | {sheet: far_cell()})
    )
    hostile(
        "五千个工作表",
        "file.too_large",
        lambda p, u: write_zip(p, (pu := parts(u)) | {"xl/workbook.xml": many_sheets(pu, 5_000)}),
    )
    hostile(
        "超长文本",
        "file.long_text",
        lambda p, u: write_zip(
            p, (pu := parts(u)) | {"xl/sharedStrings.xml": long_shared_string(pu)}
        ),
    )
    hostile("超大文件", "file.too_large", _sparse)
    hostile("旧版远处单元格", "file.too_large", _far_cell_xls, suffix=".xls")
    hostile("开放文档百万行", "file.too_large", _repeated_rows_ods, suffix=".ods")
    hostile(
        "含宏",
        "file.macros",
        lambda p, u: write_zip(p, parts(u) | {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}),
        received=True,
        suffix=".xlsm",
    )
    hostile(
        "外部链接",
        "file.external_links",
        lambda p, u: write_zip(p, external_link(parts(u))),
        received=True,
    )
    for i, name in enumerate(ODD_NAMES):
        unit = next(names)
        (folder / name).write_bytes(good_return(unit, year, seed=i))
        cases.append(Case(name, unit, "", True))
    unit = next(names)
    raw_name = (
        os.fsencode(folder) + b"/" + unit.encode("gbk") + b".xlsx"
    )  # as unzipped from Windows
    Path(os.fsdecode(raw_name)).write_bytes(good_return(unit, year, seed=9))
    cases.append(Case(f"{unit}.xlsx", unit, "", True))  # shown as read in GB18030
    return cases


def _far_cell_xls(path: Path, unit: str) -> None:
    """An .xls holding its unit and a cell at its last row and column (65,536 × 256)."""
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Sheet1")
    ws.write(0, 0, unit)
    ws.write(65535, 255, 1)
    wb.save(str(path))


def _repeated_rows_ods(path: Path, unit: str) -> None:
    """An OpenDocument sheet of one filled row repeated a million times (a few hundred bytes)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
        '<table:table-row table:number-rows-repeated="1000000">'
        f'<table:table-cell office:value-type="string"><text:p>{unit}</text:p></table:table-cell>'
        "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)


def _sparse(path: Path, unit: str) -> None:
    """A file just over the size limit that takes no room on disk."""
    with path.open("wb") as f:
        f.write(b"PK\x03\x04")
        f.truncate(LIMITS.file_bytes + 1)
