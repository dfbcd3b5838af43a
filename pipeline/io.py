"""The edges: every file the pipeline reads or writes goes through here."""

from __future__ import annotations

import codecs
import html
import json
import re
import shutil
import tomllib
import zipfile
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from python_calamine import CalamineWorkbook

from pipeline.format2021 import AMOUNT_COLS, number_text, scale
from pipeline.ooxml import stable_package
from pipeline.workbook import write_template as write_return_template

CSV_ENCODING = "utf-8-sig"  # NOTE: the BOM makes Excel and WPS on Windows read the Chinese right
Sheets = dict[str, list[list[object]]]


class UnreadableFile(Exception):
    """A file that could not be opened as a spreadsheet; the message says why, in Chinese."""


def read_sheets(path: Path) -> Sheets:
    """Every sheet of a workbook as a grid of raw values, row 0 being the sheet's first row."""
    try:
        if path.stat().st_size == 0:
            raise UnreadableFile("文件为空（0字节）")
        wb = CalamineWorkbook.from_path(str(path))
        # NOTE: skip_empty_area=False keeps row 0 at the sheet's row 1, so addresses stay true.
        sheets = {
            name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in wb.sheet_names
        }
    except UnreadableFile:
        raise
    except Exception as exc:  # calamine raises its own error types for every kind of bad file
        raise UnreadableFile(_reason(exc)) from exc
    return sheets


def formula_lookup(path: Path):
    """For an .xlsx/.xlsm, a function giving its formulas with no stored result (by sheet, then
    cell), called only when a cell reads empty; None for formats that always store results."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    return lambda: uncached_formulas(path)


# -- formulas without a stored result -------------------------------------------------------------
# NOTE: calamine shows such a cell as empty (""), like a blank; only the sheet XML tells them apart.
_CELL_FORMULA = re.compile(
    r"<c\b([^>]*?)>\s*<f\b([^>]*?)(?:/>|>([^<]*)</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)
_SHARED_MASTER = re.compile(r"<c\b([^>]*?)>\s*<f\b([^>]*?\bt=\"shared\"[^>]*?)>([^<]+)</f>")
# a formula or shared-formula child followed by no value (or an empty one) and the cell's end
_NO_RESULT = (
    re.compile(rb"</f>\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"),
    re.compile(rb"<f\b[^>]*/>\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"),
)
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_ADDRESS = re.compile(r"([A-Z]+)(\d+)")


def uncached_formulas(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet name, the cells (0-based) of an .xlsx/.xlsm holding a formula with no stored result."""
    try:
        with zipfile.ZipFile(path) as zf:
            found = {}
            for member in zf.namelist():
                if not (member.startswith("xl/worksheets/") and member.endswith(".xml")):
                    continue
                xml = zf.read(member)
                if b"<f" not in xml or not any(p.search(xml) for p in _NO_RESULT):
                    continue
                cells = _sheet_uncached(xml.decode("utf-8", "replace"))
                if cells:
                    found[member] = cells
            if not found:
                return {}
            names = _sheet_members(zf)
    except (zipfile.BadZipFile, KeyError, OSError):
        return {}
    return {names[m]: cells for m, cells in found.items() if m in names}


def _sheet_uncached(xml: str) -> dict[tuple[int, int], str]:
    cells: dict[tuple[int, int], str] = {}
    shared: list[tuple[str, str]] = []  # (cell, shared index) of formulas written once for a range
    for m in _CELL_FORMULA.finditer(xml):
        at = dict(_ATTR.findall(m.group(1))).get("r", "")
        f_attrs = dict(_ATTR.findall(m.group(2)))
        text = html.unescape(m.group(3) or "")
        if text:
            cells[_position(at)] = text
        elif f_attrs.get("t") == "shared" and "si" in f_attrs:
            shared.append((at, f_attrs["si"]))
    if shared:
        from openpyxl.formula.translate import Translator

        masters = {}
        for m in _SHARED_MASTER.finditer(xml):
            f_attrs = dict(_ATTR.findall(m.group(2)))
            at = dict(_ATTR.findall(m.group(1))).get("r", "")
            masters[f_attrs.get("si")] = (at, html.unescape(m.group(3)))
        for at, si in shared:
            if si in masters:
                origin, text = masters[si]
                moved = Translator(f"={text}", origin=origin).translate_formula(at)
                cells[_position(at)] = moved.lstrip("=")
    return cells


def _position(address: str) -> tuple[int, int]:
    m = _ADDRESS.fullmatch(address)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet XML member → sheet name, from the workbook and its relationships."""
    book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {}
    for m in re.finditer(r"<Relationship\b([^>]*)>", rels):
        a = dict(_ATTR.findall(m.group(1)))
        target = a.get("Target", "").lstrip("/")
        targets[a.get("Id")] = target if target.startswith("xl/") else f"xl/{target}"
    names = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)>", book):
        a = dict(_ATTR.findall(m.group(1)))
        rid = next((v for k, v in a.items() if k.endswith(":id")), None)
        if rid in targets:
            names[targets[rid]] = html.unescape(a.get("name", ""))
    return names


def _reason(exc: Exception) -> str:
    text = str(exc)
    lowered = text.lower()
    if "password" in lowered or "encrypt" in lowered:
        return "文件已加密或设有打开密码"
    if (
        "zip" in lowered
        or "invalid" in lowered
        or "cannot detect" in lowered
        or "unrecognized" in lowered
    ):
        return f"不是有效的电子表格文件或文件已损坏（{type(exc).__name__}: {text[:120]}）"
    return f"读取失败（{type(exc).__name__}: {text[:120]}）"


def read_units(path: Path) -> pd.DataFrame:
    """The register of reporting units: code, name, kind, aliases."""
    units = pd.read_csv(path, dtype=str, encoding=CSV_ENCODING, keep_default_na=False)
    if "aliases" not in units:
        units = units.assign(aliases="")
    return units


def read_config(path: Path) -> dict:
    """The year's settings (county name and the like), or an empty dict when absent."""
    if not path.exists():
        return {}
    with path.open("rb") as f:
        return tomllib.load(f)


def write_csv(table: pd.DataFrame, path: Path, *, header: bool = True) -> Path:
    """Write a table as UTF-8 CSV with BOM, every value as quoted text, none a live formula.

    NOTE: pyarrow's writer is ~20× faster than pandas' on a province's two million cells. Text that
    Excel or WPS would take for a formula (`=…`, `+…`, `-…`, `@…`, but not a plain number such as
    `-3`) is written behind a `'`, as is text that itself begins with `'`; `read_csv` takes one
    `'` off again, so every stage reads back exactly what the one before wrote.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    text = pd.DataFrame({str(c): defused(table[c]) for c in table.columns})
    arrow = pa.Table.from_pandas(text, preserve_index=False)
    with path.open("wb") as f:
        f.write(codecs.BOM_UTF8)
        pa_csv.write_csv(
            arrow,
            f,
            write_options=pa_csv.WriteOptions(include_header=header, quoting_style="needed"),
        )
    return path


def read_csv(path: Path) -> pd.DataFrame:
    """Read a table written by `write_csv`, every column as text exactly as it was written."""
    table = pd.read_csv(
        path, dtype=str, keep_default_na=False, engine="pyarrow", encoding=CSV_ENCODING
    )
    return pd.DataFrame({c: _restored(table[c].fillna("")) for c in table.columns})


_LIVE = r"^[=+\-@\t\r']"  # what a spreadsheet would take for a formula, and the escape itself
_PLAIN_NUMBER = r"-?\d+(\.\d+)?"


def defused(column: pd.Series) -> pd.Series:
    """A column as text that no spreadsheet will run: `=1+1` becomes `'=1+1`; `-3` stays."""
    text = column.astype("string[pyarrow]").fillna("")
    live = text.str.contains(_LIVE, regex=True)
    if not live.any():
        return text
    live[live] = ~text[live].str.fullmatch(_PLAIN_NUMBER)  # NOTE: -3 is a number, not a formula
    return text.mask(live, "'" + text)


def _restored(column: pd.Series) -> pd.Series:
    escaped = column.str.startswith("'")
    return column.mask(escaped, column.str.slice(1)) if escaped.any() else column


def write_cells(cells: pd.DataFrame, path: Path) -> Path:
    """Write a cell table; its stored integers are written as the exact decimals they stand for."""
    shown = cells["value"].astype("string").fillna("")
    # NOTE: counts print as they are stored; only amounts (a few cells a return) need decimals
    money = _amounts(cells) & cells["value"].notna()
    shown[money] = [
        number_text(int(v), s, c)
        for v, s, c in cells.loc[money, ["value", "section", "col"]].itertuples(index=False)
    ]
    return write_csv(cells.assign(value=shown), path)


def read_cells(path: Path) -> pd.DataFrame:
    """Read a cell table written by `write_cells`, its values back to exact integers."""
    table = read_csv(path)
    money = _amounts(table)
    text = table["value"].mask(money | (table["value"] == ""))
    stored = pd.to_numeric(text).astype("Int64")
    stored[money] = pd.array(
        [
            None if t == "" else int(Decimal(t).scaleb(scale(s, c)))
            for t, s, c in table.loc[money, ["value", "section", "col"]].itertuples(index=False)
        ],
        dtype="Int64",
    )
    return table.assign(value=stored)


def _amounts(cells: pd.DataFrame) -> pd.Series:
    return cells["col"].isin(AMOUNT_COLS)


def write_grid(table: pd.DataFrame, path: Path) -> Path:
    """Write a table laid out as the report prints it: no header row, no index."""
    return write_csv(table, path, header=False)


def write_template(path: Path, unit: str, year: int) -> Path:
    """Write the return workbook to send to `unit` (empty: a generic copy)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_return_template(path, unit, year)
    return path


FEEDBACK_SHEET = "校验问题"
_FILLS = {"error": "FFC7CE", "warning": "FFEB9C"}


def write_feedback(source: Path, target: Path, marks: list, when: datetime) -> Path:
    """A copy of the return at `source` with each mark's cell filled and commented, plus a sheet
    listing every problem; the file in raw/ is only read. A return openpyxl cannot open for
    writing (.xls, .ods) gets a new workbook holding the list alone."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    try:
        wb = load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm")
    except Exception:  # NOTE: not an OOXML workbook openpyxl can edit; the list is still sent back
        wb = Workbook()
        wb.active.title = "说明"
        wb.active["A1"] = (
            f"原文件“{source.name}”的格式无法直接标注，问题清单见“{FEEDBACK_SHEET}”工作表。"
        )
    by_cell: dict[tuple[str, str], list] = {}
    for mark in marks:
        if mark.cell and mark.sheet in wb.sheetnames:
            by_cell.setdefault((mark.sheet, mark.cell), []).append(mark)
    for (sheet, address), cell_marks in by_cell.items():
        cell = _writable(wb[sheet], address)
        worst = "error" if any(m.severity == "error" for m in cell_marks) else "warning"
        cell.fill = PatternFill("solid", fgColor=_FILLS[worst])
        comment = Comment("\n\n".join(m.text for m in cell_marks), "xxgk")
        comment.width, comment.height = 320, 160
        cell.comment = comment
    if FEEDBACK_SHEET in wb.sheetnames:
        del wb[FEEDBACK_SHEET]
    ws = wb.create_sheet(FEEDBACK_SHEET, 0)
    ws.append(["序号", "严重程度", "工作表", "单元格", "问题与建议"])
    for i, mark in enumerate(marks, start=1):
        ws.append(
            [i, "错误" if mark.severity == "error" else "警告", mark.sheet, mark.cell, mark.text]
        )
    for col, width in zip("ABCDE", (6, 10, 30, 8, 100), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        row[4].alignment = Alignment(wrap_text=True, vertical="top")
        for cell in row[2:]:
            cell.data_type = "s"  # NOTE: openpyxl takes text starting with "=" for a formula
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    wb.active = 0
    buffer = BytesIO()
    wb.save(buffer)
    return write_bytes(stable_package(buffer.getvalue(), when), target)


def _writable(ws, address: str):
    """The cell at `address`, or the top-left cell of the merged range covering it."""
    for merged in ws.merged_cells.ranges:
        if address in merged:
            return ws.cell(merged.min_row, merged.min_col)
    return ws[address]


def write_json(record: dict, path: Path) -> Path:
    """Write a record as readable, stable JSON (keys in order, Chinese as is)."""
    text = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True, default=_plain_json)
    return write_text(text + "\n", path)


def _plain_json(value: object) -> object:
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    raise TypeError(f"not JSON: {value!r}")


def write_text(text: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_bytes(data: bytes, path: Path) -> Path:
    """Write a file made in memory (a .docx, an .xlsx) in one go."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def remove(paths: list[Path]) -> None:
    """Remove stale products (files or folders) of stages that will be run again."""
    for p in paths:
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
