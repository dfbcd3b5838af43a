"""Published reports written as text, as a page copied from a web site gives them: a title, the six
parts, the tables one row a line. `report_text(issuer, year, values)` writes one whose figures are
`values` (cells not given print as 0); the audit's tests and its benchmark read them back.
"""

from __future__ import annotations

from pipeline.format2021 import PARTS, S3, S4, SECTIONS

PART_一 = (
    "本局坚持以公开为常态、不公开为例外，严格落实政府信息公开条例，完善主动公开目录，"
    "加强政策解读，及时回应社会关切，全年通过门户网站主动公开政府信息，依申请公开工作规范有序，"
    "全年共收到政府信息公开申请{new}件，办结{closed}件。"
)
PART_五 = (
    "存在的问题是公开内容的规范性还需加强，政策解读形式比较单一。下一步将加强业务培训，"
    "完善工作制度，丰富解读形式，提升公开实效，确保各项工作落实到位。"
)
PART_六 = "本机关{year}年度未收取政府信息公开信息处理费。"


def s3_values(new: int, carried_in: int, granted: int) -> dict[tuple[str, str, str], int]:
    """表三 of a body whose requests all came from natural persons: consistent by construction."""
    out = {}
    for row, v in {
        "new": new,
        "carried_in": carried_in,
        "granted": granted,
        "outcome_total": granted,
        "carried_out": new + carried_in - granted,
    }.items():
        out["s3", row, "natural"] = v
        out["s3", row, "total"] = v
    return out


def report_text(
    issuer: str,
    year: int,
    values: dict,
    *,
    texts: dict | None = None,
    parts: dict | None = None,
    one_row_other: str | None = None,
) -> str:
    """A report as text copied from a web page: title, six parts, the tables one row a line
    (`texts` overrides how a cell is printed; `one_row_other`: （六）其他处理 printed as one row)."""
    texts = texts or {}
    new = values.get(("s3", "new", "total"), 0)
    closed = values.get(("s3", "outcome_total", "total"), 0)
    parts = {
        "一": PART_一.format(new=new, closed=closed),
        "五": PART_五,
        "六": PART_六.format(year=year),
        **(parts or {}),
    }

    def shown(cell) -> str:
        return texts.get(cell, str(values.get(cell, 0)))

    lines = [f"{issuer}{year}年政府信息公开工作年度报告", ""]
    for numeral, title in PARTS.items():
        lines.append(f"{numeral}、{title}")
        code = {"二": "s2", "三": "s3", "四": "s4"}.get(numeral)
        if code is None:
            lines.append(parts[numeral])
            continue
        section = SECTIONS[code]
        if code == "s4":
            lines += [
                "行政复议  行政诉讼",
                "未经复议直接起诉  复议后起诉",
                "  ".join(c.label for c in S4.cols),
                "  ".join(shown(("s4", "cases", c.code)) for c in S4.cols),
            ]
            continue
        if code == "s3":
            lines.append("  ".join([S3.corner, *(c.label for c in S3.cols)]))
        block = None
        for row in section.rows:
            cols = section.cols_of(row)
            if code == "s2" and row.block != block:
                block = row.block
                lines += [block, "  ".join(["信息内容", *(c.label for c in cols)])]
            if one_row_other is not None and row.code.startswith("other_"):
                if row.code == "other_no_correction":
                    lines.append(f"（六）其他处理  {one_row_other}")
                continue
            figures = [shown((code, row.code, c.code)) for c in cols]
            lines.append("  ".join(["".join(row.labels), *figures]))
    return "\n".join(lines) + "\n"
