"""What kind of file a return is (a spreadsheet or a Word document), told by its bytes, not its name.

WPS 表格 saves `.et` (a workbook) and `.ett` (a template); both are an .xls (BIFF8 in an OLE2
container) or an .xlsx (an OOXML zip) under another name, and are read as what they contain.
The readers open every file by its content; this says which kind a file is (a workbook, or a
Word document sent as a return), for messages and checks that need to know, and whether its name
says otherwise.
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


# what each kind of file is called in messages, and the suffixes its name may have
KIND_NAMES = {
    "xlsx": "Excel 工作簿（.xlsx）",
    "xls": "Excel 97-2003 工作簿（.xls）",
    "ods": "OpenDocument 电子表格（.ods）",
    "docx": "Word 文档（.docx）",
    "doc": "Word 97-2003 或 WPS 文字文档（.doc/.wps）",
}
SUFFIXES = {
    "xlsx": frozenset({".xlsx", ".xlsm", ".xltx", ".xltm", *WPS_SUFFIXES}),
    "xls": frozenset({".xls", ".xlt", *WPS_SUFFIXES}),
    "ods": frozenset({".ods", ".ots"}),
    # NOTE: WPS 文字 saves its own .wps as either container
    "docx": frozenset({".docx", ".docm", ".dotx", ".dotm", ".wps", ".wpt"}),
    "doc": frozenset({".doc", ".dot", ".wps", ".wpt"}),
}


def file_kind(data: bytes, word: bool | None = None) -> str | None:
    """`xlsx`, `xls`, `ods`, `docx` or `doc` (also a WPS 文字 .wps) as the bytes show, or None
    for anything else (an encrypted file, a PDF, text, damaged bytes). `word`: whether the bytes
    are already known to be a Word document or not, so an OLE2 file is not opened again."""
    if data[:8] == OLE2:
        if word is not None:
            # NOTE: an OLE2 file that is no Word document is read, if at all, as an .xls
            return "doc" if word else "xls"
        import olefile

        try:
            with olefile.OleFileIO(data) as ole:
                if ole.exists("WordDocument"):
                    return "doc"
                if ole.exists("Workbook") or ole.exists("Book"):
                    return "xls"
        except Exception:  # NOTE: olefile raises many types for a damaged container
            return None
        return None
    if data[:4] != b"PK\x03\x04":
        return None
    # NOTE: a zip names its parts in plain bytes; an OpenDocument file stores its type first
    if data[30:38] == b"mimetype":
        return "ods" if b"opendocument.spreadsheet" in data[38:120] else None
    if b"word/document.xml" in data if word is None else word:
        return "docx"
    if b"xl/workbook.xml" in data:
        return "xlsx"
    return workbook_kind(data)


def misnamed(name: str, data: bytes, word: bool | None = None) -> str | None:
    """The kind a file's bytes are (`file_kind`) when its name's suffix is not one of that
    kind's (`.xlsx` holding an .xls, a .doc sent as `.docx`), else None."""
    kind = file_kind(data, word)
    if kind is None:
        return None
    base = name.rsplit("/", 1)[-1]
    suffix = "." + base.rsplit(".", 1)[-1].lower() if "." in base else ""
    return None if suffix in SUFFIXES[kind] else kind


def named(name: str) -> str:
    """What a file's name says of its kind, in words: `扩展名是“.docx”`, or `没有扩展名`."""
    base = name.rsplit("/", 1)[-1]
    return f"扩展名是“.{base.rsplit('.', 1)[-1]}”" if "." in base else "没有扩展名"
