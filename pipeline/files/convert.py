"""Old Word and WPS files (.doc, .wps): converted to .docx by LibreOffice (headless), then read.

Without `soffice` on the machine, the file is a finding (audit.no_converter), never skipped in
silence. The conversion runs in a temporary folder with its own LibreOffice profile, bounded in
time, and the file is read from the copy it writes.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from pipeline.files.document import Document, failed, finding
from pipeline.files.docx import read_docx

TIMEOUT = 120  # seconds for one conversion
KINDS = {".doc": "Word 97-2003（.doc）", ".wps": "WPS 文字（.wps）"}


def soffice() -> str | None:
    """The LibreOffice program, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_converted(path: Path, data: bytes) -> Document:
    """A .doc or .wps report, converted to .docx and read as one."""
    program = soffice()
    suffix = path.suffix.lower()
    # NOTE: only .doc and .wps come here by their bytes: a file under another name (a .doc sent
    # as `.docx`) is named by what it is, and handed to LibreOffice under the name that fits
    # its bytes, since LibreOffice may choose its import filter by the name
    kind = KINDS.get(suffix) or f"{KINDS['.doc']}（扩展名却是“{path.suffix or '无'}”）"
    if suffix not in KINDS:
        suffix = ".doc"
    if program is None:
        return failed(path.name, "docx", finding("audit.no_converter", file=path.name, kind=kind))
    with tempfile.TemporaryDirectory(prefix="xxgk-convert-") as tmp:
        work = Path(tmp)
        source = work / f"source{suffix}"
        source.write_bytes(data)
        command = [
            program,
            f"-env:UserInstallation=file://{work / 'profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            return failed(
                path.name,
                "docx",
                finding("audit.conversion_failed", file=path.name, reason=f"超过{TIMEOUT}秒"),
            )
        except OSError as exc:
            return failed(
                path.name,
                "docx",
                finding("audit.conversion_failed", file=path.name, reason=str(exc)),
            )
        converted = work / "out" / "source.docx"
        if not converted.exists():
            return failed(
                path.name,
                "docx",
                finding("audit.conversion_failed", file=path.name, reason="没有生成.docx文件"),
            )
        doc = read_docx(path, converted.read_bytes())
    return replace(doc, meta={**doc.meta, "converted_from": suffix})
