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
