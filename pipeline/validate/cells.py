"""Findings of single cells (unreadable values, blanks) and of rules looking across a return's tables (规章 at county level, cases without requests, unpaid fees without a notice)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from pipeline.files.a1 import by_sheet
from pipeline.format2021 import S2, S4_GROUPS, SECTIONS, whole_text
from pipeline.ingest.values import READ_AS
from pipeline.problems import finding
from pipeline.validate.provenance import Provenance
from schemas import rules

MAX_LISTED = 12  # cells listed by name in one summary message


def value_findings(cells: pd.DataFrame, strict: bool) -> list[dict]:
    """The finding each cell's way of reading makes at it (`value.type` for a value that is
    not a number, `value.revision` … : READ_AS); blanks and `/ — 无`, as one note per return by
    default or an error per cell under --strict; and a return left entirely blank."""
    failed = rules.failures(rules.CELLS, cells)
    out = [
        finding(rule, **_locator(rec), **_cell_names(rec), reason=rec.problem)
        for rule in dict.fromkeys(r for r in READ_AS.values() if r)
        for rec in cells.loc[failed.get(rule, [])].itertuples()
    ]
    blank = cells.loc[failed.get("value.missing", [])]
    per_file = blank["file"].value_counts()
    sizes = cells["file"].value_counts()
    for file in sorted(per_file.index[per_file.to_numpy() == sizes[per_file.index].to_numpy()]):
        unit = blank.loc[blank["file"] == file, "unit"].iloc[0]
        out.append(finding("value.all_blank", unit=unit, file=file, count=int(per_file[file])))
    if strict:
        return out + [
            finding("value.blank", **_locator(rec), **_cell_names(rec))
            for rec in blank.itertuples()
        ]
    for (unit, file), group in blank.groupby(["unit", "file"], sort=True):
        listed = by_sheet(group["sheet"].head(MAX_LISTED), group["cell"].head(MAX_LISTED))
        more = f"等（共{len(group)}个）" if len(group) > MAX_LISTED else ""
        sheets = " ".join(group["sheet"].unique())
        out.append(
            finding(
                "value.missing",
                unit=unit,
                file=file,
                sheet=sheets,
                count=len(group),
                cells=listed + more,
            )
        )
    return out


# The roster's kinds (raw/<year>/units.csv, README: 县政府 / 部门 / 乡镇) of bodies at county
# level or below; a roster is a county's, so its departments are the county's
COUNTY_KINDS = frozenset({"县政府", "区政府", "部门", "乡镇", "乡", "镇", "街道"})
# NOTE: a name tells the level only when it names a 县 (旗), a 市辖区 (a 区 under a 市, or a
# 区人民政府 that is no 自治区, 地区, 开发区 …), a 乡, 镇 or 街道; a 市 may be a 设区的市, which
# makes 规章 (淮安市人民政府), so a name with 市 alone says nothing
_COUNTY_NAME = re.compile(r"^县|[\u4e00-\u9fff](?:自治)?[县旗]")
_TOWNSHIP_NAME = re.compile(r"(?:乡|镇)(?:人民政府|政府|党委|人大)|街道|[\u4e00-\u9fff](?:乡|镇)$")
_DISTRICT_NAME = re.compile(r"市[\u4e00-\u9fff]{1,8}区|[\u4e00-\u9fff]{1,8}区(?:人民政府|政府)")
_NOT_DISTRICT = re.compile(
    r"(?:自治|地|开发|实验|示范|园|新|保税|试验|合作|管理|风景|特别行政|高新|功能)区"
)


def plainly_county_level(name: str, kind: str = "") -> bool:
    """Whether a body is plainly at county level or below (县、市辖区 and their departments, 乡、
    镇、街道): by the roster's `kind` when it is one of COUNTY_KINDS, else by its name."""
    if kind.strip() in COUNTY_KINDS:
        return True
    name = "".join(unicodedata.normalize("NFKC", name).split())
    if _COUNTY_NAME.search(name) or _TOWNSHIP_NAME.search(name):
        return True
    return bool(_DISTRICT_NAME.search(name)) and not _NOT_DISTRICT.search(name)


def cross_table_findings(
    tables: rules.WideTables, where: Provenance, level: Callable[[str], bool]
) -> list[dict]:
    """Warnings that look across a return's tables: 规章 made by a body that `level` says is at
    county level or below, cases without requests, unpaid fees without a fee notice."""
    out = []
    s2 = tables.wide("s2", "row")
    for i in rules.failures(rules.S2_BY_ROW, s2).get("s2.rules_level", []):
        rec = s2.loc[i]
        if not level(where.of(rec["file"], "s2", "rules", "issued")["unit"]):
            continue
        for col in ("issued", "repealed", "in_force"):
            if rec[col] > 0:
                out.append(
                    finding(
                        "s2.rules_level",
                        **where.of(rec["file"], "s2", "rules", col),
                        table=S2.short,
                        what=S2.col(col).label,
                        value=whole_text(rec[col]),
                        expected=0,
                    )
                )
    per_return = rules.per_return(tables)
    for check, index in rules.failures(rules.PER_RETURN, per_return).items():
        for i in index:
            rec = per_return.loc[i]
            if check == "s4.without_requests":
                cases = sum(np.nan_to_num(rec[f"{g}_total"]) for g in S4_GROUPS)
                out.append(
                    finding(
                        check,
                        **where.of(rec["file"], "s4", "cases", "review_total"),
                        cases=whole_text(cases),
                        value=whole_text(cases),
                    )
                )
            else:
                out.append(
                    finding(
                        check,
                        **where.of(rec["file"], "s3", "other_no_fee", "total"),
                        count=whole_text(rec["other_no_fee"]),
                        value=whole_text(rec["other_no_fee"]),
                    )
                )
    return out


def _locator(rec: Any) -> dict:
    return {
        k: getattr(rec, k)
        for k in ("unit", "file", "sheet", "cell", "section", "row", "col", "text")
    }


def _cell_names(rec: Any) -> dict:
    return {
        "table": SECTIONS[rec.section].short,
        "label": _cell_label(rec.section, rec.row, rec.col),
    }


def _cell_label(section: str, row: str, col: str) -> str:
    sec = SECTIONS[section]
    r = sec.row(row).label
    c = sec.col(col).label
    return f"{r}·{c}" if r else c
