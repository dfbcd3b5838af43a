"""What kind of spreadsheet a file is, told by its bytes, not its name.

WPS 表格 saves `.et` (a workbook) and `.ett` (a template); both are an .xls (BIFF8 in an OLE2
container) or an .xlsx (an OOXML zip) under another name, and are read as what they contain.
The reader (`io.read_workbook`) already opens every file by its content; this says which kind a
file is, for messages and checks that need to know.
"""

from __future__ import annotations

import zipfile
from io import BytesIO

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WPS_SUFFIXES = frozenset({".et", ".ett"})  # WPS 表格's own names for .xls / .xlsx content


def workbook_kind(data: bytes) -> str | None:
    """`xlsx`, `xls` or `ods` as the bytes show (an .xlsm is `xlsx`), or None for anything else."""
    if data[:8] == OLE2:
        return "xls"
    if data[:4] != b"PK\x03\x04":
        return None
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "mimetype" in names and zf.read("mimetype").startswith(
                b"application/vnd.oasis.opendocument.spreadsheet"
            ):
                return "ods"
            if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
                return "xlsx"
    except (zipfile.BadZipFile, ValueError, OSError, KeyError):
        return None
    return None
