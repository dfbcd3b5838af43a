"""Office files (xlsx, docx) are zips of XML parts; made byte-stable here so reruns compare equal."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from io import BytesIO

_CORE_TIMES = re.compile(
    r"(<dcterms:(?:created|modified)[^>]*>)([^<]*)(</dcterms:(?:created|modified)>)"
)


def stable_package(data: bytes, when: datetime) -> bytes:
    """The same Office file with every part dated `when` and its created/modified times set to it,
    so the same content always gives the same bytes (libraries stamp the current time)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                text = body.decode("utf-8")
                body = _CORE_TIMES.sub(lambda m: m.group(1) + stamp + m.group(3), text).encode(
                    "utf-8"
                )
            info = zipfile.ZipInfo(item.filename, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            dst.writestr(info, body)
    return out.getvalue()
