"""The run's own inputs (the roster `units.csv`, `config.toml`, the narrative templates), read and
checked before any work: a fault in them stops the run with a message naming the file and the
line (exit 2), never a traceback and never a finding blamed on a department."""

from __future__ import annotations

import csv
import io as _stdio
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

UNIT_COLUMNS = ("code", "name", "kind", "aliases", "full_name")
REQUIRED_UNIT_COLUMNS = ("code", "name", "kind")


class CannotStart(Exception):
    """The run cannot start or go on (no such year folder, a faulty roster, outputs that would
    overwrite the inputs…); the message is Chinese and names the file."""


@dataclass(frozen=True)
class Text:
    """A text file as read: its text and the encoding it was found in."""

    text: str
    encoding: str


def decoded(path: Path, *, others: tuple[str, ...] = ("gb18030",)) -> Text:
    """A text file's text: UTF-8 (with or without a BOM), else one of `others` (GB18030 reads
    GBK and GB2312 too: what Excel and Notepad on Chinese Windows save), else CannotStart."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", *others):
        try:
            return Text(data.decode(encoding), encoding)
        except UnicodeDecodeError:
            continue
    tried = "UTF-8" + "".join(f"、{e.upper()}" for e in others)
    raise CannotStart(f"{path} 的编码无法识别（已尝试 {tried}），请另存为 UTF-8 编码后重试")


def read_units(path: Path) -> pd.DataFrame:
    """The roster of reporting units (code, name, kind, aliases), checked: required columns, no
    blank lines, no unit without a code or a name, no code, name or alias given twice."""
    text = decoded(path).text
    rows = list(csv.reader(_stdio.StringIO(text)))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()  # NOTE: empty lines at the very end are what editors leave, not a unit
    if not rows:
        raise CannotStart(f"单位名册 {path} 是空的（第1行应为 code,name,kind,aliases）")
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    absent = [c for c in REQUIRED_UNIT_COLUMNS if c not in header]
    if absent:
        raise CannotStart(
            f"单位名册 {path} 第1行缺少列：{'、'.join(absent)}"
            f"（第1行应为 code,name,kind,aliases，现为“{','.join(header)}”）"
        )
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            raise CannotStart(f"单位名册 {path} 第{number}行是空行，请删除该行后重试")
        record = dict(zip(header, (cell.strip() for cell in row), strict=False))
        for column in ("code", "name"):
            if not record.get(column):
                label = "代码（code）" if column == "code" else "名称（name）"
                raise CannotStart(f"单位名册 {path} 第{number}行没有填写{label}")
        records.append((number, record))
    if not records:
        raise CannotStart(f"单位名册 {path} 只有表头，没有任何单位")
    _no_repeats(path, records)
    units = pd.DataFrame([r for _, r in records]).reindex(columns=list(UNIT_COLUMNS), fill_value="")
    return units.fillna("").astype(str)


def _no_repeats(path: Path, records: list[tuple[int, dict]]) -> None:
    """A code, or a name or alias, given to two units makes every later match a guess."""
    from pipeline.ingest.vocabulary import norm

    codes: dict[str, int] = {}
    names: dict[str, tuple[int, str]] = {}
    for number, record in records:
        code = record["code"]
        if code in codes:
            raise CannotStart(f"单位名册 {path} 第{codes[code]}行和第{number}行的代码都是“{code}”")
        codes[code] = number
        spelled = unit_names(record)
        for name in dict.fromkeys(norm(s) for s in spelled):
            if name in names and names[name][0] != number:
                first, as_written = names[name]
                raise CannotStart(
                    f"单位名册 {path} 第{first}行和第{number}行都用了名称或别名“{as_written}”"
                )
            names[name] = (number, record["name"] if norm(record["name"]) == name else name)


def unit_names(unit: Mapping[str, object]) -> list[str]:
    """Every name a unit of the roster (a row, as a mapping) is known by: its name, its full
    name, its aliases."""
    aliases = str(unit.get("aliases") or "").split("|")
    names = [unit["name"], unit.get("full_name"), *aliases]
    return [n for n in names if isinstance(n, str) and n.strip()]


def full_name(units: pd.DataFrame | None, name: str, county: str) -> str:
    """A unit's full name as its report is titled: the roster's `full_name`, else its name with
    the county's before it when it lacks it (北平镇 → 古县北平镇; 县公安局 → 古县公安局)."""
    if units is not None and "full_name" in units:
        given = units.loc[units["name"] == name, "full_name"]
        if len(given) and str(given.iloc[0]).strip():
            return str(given.iloc[0]).strip()
    if not county or name.startswith(county):
        return name
    # NOTE: 县公安局 is how people shorten 古县公安局: the county's last character stands for it
    if name.startswith(county[-1]):
        return county + name[1:]
    return county + name


def read_config(path: Path) -> dict:
    """The year's settings (`county = "古县"`), checked; empty when the file is absent."""
    if not path.exists():
        return {}
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CannotStart(
            f"{path} 不是 UTF-8 编码（TOML 文件必须是 UTF-8），请另存为 UTF-8 后重试"
        ) from None
    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CannotStart(f"{path} 有语法错误：{_toml_reason(exc)}") from None
    county = config.get("county")
    if county is not None and (not isinstance(county, str) or not county.strip()):
        line = _line_of(text, "county")
        raise CannotStart(
            f'{path} 第{line}行：county 应为带引号的县名，如 county = "古县"（现为 {county!r}）'
        )
    return config


def _toml_reason(exc: tomllib.TOMLDecodeError) -> str:
    # NOTE: Python 3.11's tomllib gives the place only in its message: "… (at line 3, column 5)"
    text = str(exc)
    place = re.search(r"\(at line (\d+), column (\d+)\)", text)
    reason = text[: place.start()].strip() if place else text
    where = f"第{place.group(1)}行第{place.group(2)}列" if place else ""
    return f'{where}（{reason}）；格式如 county = "古县"'


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(key):
            return number
    return 1


def read_template(path: Path) -> str:
    """A narrative template's text (UTF-8, or GB18030 as Notepad saves it), its jinja2 syntax
    checked: a syntax error is CannotStart naming the file and line."""
    from pipeline.render.narrative import NarrativeError, parsed_narrative

    text = decoded(path).text
    try:
        parsed_narrative(text)
    except NarrativeError as exc:
        raise CannotStart(f"报告文字模板 {path} {exc}") from None
    return text


def check_apart(raw_year: Path, out_year: Path) -> None:
    """Refuse to start when the outputs of a year would be written over, into or around its
    inputs (`--out` equal to `--raw`, inside `raw/<year>/`, or holding it)."""
    raw, out = raw_year.resolve(), out_year.resolve()
    # NOTE: another year's folder of inputs is refused as well (`--out raw/2022`)
    inside_inputs = any(p.parent == raw.parent and p.name.isdigit() for p in out.parents)
    if raw == out or raw in out.parents or out in raw.parents or inside_inputs:
        raise CannotStart(
            f"输出文件夹 {out_year} 与输入文件夹 {raw_year} 重叠（相同、在其中或包含它），"
            "为免改动或删除收到的报表，未运行；请把 --out 设为 raw 之外的文件夹（如 output）"
        )


# the columns of reviewed.csv: each field's code and the headers accepted for it
REVIEWED_HEADERS = {
    "code": ("code", "单位代码"),
    "rule": ("rule", "规则", "规则编号"),
    "section": ("section", "表"),
    "row": ("row", "行"),
    "col": ("col", "列"),
    "value": ("value", "读作", "数值"),
    "status": ("status", "状态"),
    "reason": ("reason", "说明"),
    "reviewer": ("reviewer", "核实人"),
    "date": ("date", "日期"),
}
REVIEWED_REQUIRED = ("rule", "status", "reason", "reviewer", "date")  # never blank
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def read_reviewed(path: Path, units: pd.DataFrame) -> pd.DataFrame:
    """The office's decisions on findings (reviewed.csv), checked against the roster `units`,
    the rule catalog, the format and the known statuses: one row per decision, with its unit's
    name and its line; none when the file is absent. A fault is CannotStart naming the line."""
    from pipeline.problems import RULES
    from pipeline.review import STATUSES

    columns = [*REVIEWED_HEADERS, "unit", "line"]
    if not path.is_file():
        return pd.DataFrame(columns=columns)
    rows = list(csv.reader(_stdio.StringIO(decoded(path).text)))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    expected = "、".join(f"{names[1]}（{names[0]}）" for names in REVIEWED_HEADERS.values())
    if not rows:
        raise CannotStart(f"核实记录 {path} 是空的（第1行应为表头：{expected}）")
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    field_of = {name: code for code, names in REVIEWED_HEADERS.items() for name in names}
    fields = [field_of.get(h, "") for h in header]
    absent = [f"{names[1]}（{c}）" for c, names in REVIEWED_HEADERS.items() if c not in fields]
    if absent:
        raise CannotStart(
            f"核实记录 {path} 第1行缺少列：{'、'.join(absent)}（第1行应为表头：{expected}）"
        )
    names = dict(zip(units["code"], units["name"], strict=True))
    seen: dict[tuple[str, ...], int] = {}
    records = []
    for number, row in enumerate(rows[1:], start=2):
        where = f"核实记录 {path} 第{number}行"
        if not any(cell.strip() for cell in row):
            raise CannotStart(f"{where}是空行，请删除该行后重试")
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            raise CannotStart(f"{where}的列数（{len(row)}）多于表头（{len(header)}），请检查逗号")
        record = {c: "" for c in REVIEWED_HEADERS}
        record.update({f: cell.strip() for f, cell in zip(fields, row, strict=False) if f})
        for code in REVIEWED_REQUIRED:
            if not record[code]:
                raise CannotStart(f"{where}没有填写{REVIEWED_HEADERS[code][1]}（{code}）")
        if record["code"] and record["code"] not in names:
            raise CannotStart(f"{where}的单位代码“{record['code']}”不在单位名册中")
        if record["rule"] not in RULES:
            raise CannotStart(
                f"{where}的规则“{record['rule']}”不是本程序的规则编号（见 docs/rules.md）"
            )
        if record["status"] not in STATUSES:
            raise CannotStart(
                f"{where}的状态“{record['status']}”无法识别（可用：{'、'.join(STATUSES)}）"
            )
        record.update(_cell_of(record, where))
        date = _DATE.match(record["date"])
        if not date:
            raise CannotStart(f"{where}的日期“{record['date']}”无法识别（应如 2025-03-18）")
        record["date"] = f"{date[1]}-{int(date[2]):02d}-{int(date[3]):02d}"
        key = tuple(record[c] for c in ("code", "rule", "section", "row", "col"))
        if key in seen:
            raise CannotStart(f"核实记录 {path} 第{seen[key]}行和第{number}行记的是同一个问题")
        seen[key] = number
        # NOTE: no code: a finding of the county's table (全县) or of the run as a whole
        records.append({**record, "unit": names.get(record["code"], ""), "line": number})
    return pd.DataFrame(records, columns=columns).astype({"line": int})


def _cell_of(record: dict[str, str], where: str) -> dict[str, str]:
    """A decision's table, row and column as codes (each written as its code or as the format
    prints it: 表三, （一）予以公开, 自然人); all blank for a finding about a whole return."""
    from pipeline.format2021 import SECTIONS

    section, row, col = record["section"], record["row"], record["col"]
    if not section:
        if row or col:
            raise CannotStart(f"{where}填写了行或列，但没有填写表（section）")
        return {"section": "", "row": "", "col": ""}
    codes = {s.short: code for code, s in SECTIONS.items()} | {c: c for c in SECTIONS}
    if section not in codes:
        raise CannotStart(f"{where}的表“{section}”无法识别（如 s3 或 表三）")
    sec = SECTIONS[codes[section]]
    found = {"section": sec.code, "row": "", "col": ""}
    for field, axis, name in (("row", sec.rows, "行"), ("col", sec.cols, "列")):
        written = record[field]
        if not written:
            continue
        codes_of = [a.code for a in axis if written in (a.code, a.label)]
        if not codes_of:
            raise CannotStart(f"{where}的{name}“{written}”不是{sec.short}的{name}")
        if len(set(codes_of)) > 1:
            # NOTE: a label printed twice in a table names no one cell; its code does
            raise CannotStart(
                f"{where}的{name}“{written}”在{sec.short}中不止一处，请改填{name}代码"
                f"（{'、'.join(codes_of)}，见 issues.csv 的 {field} 列）"
            )
        found[field] = codes_of[0]
    return found
