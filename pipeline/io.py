"""The edges: every file the pipeline reads or writes goes through here."""

from __future__ import annotations

import shutil
import tomllib
from decimal import Decimal
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from pipeline.format2021 import AMOUNT_COLS, number_text, scale

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
        return {
            name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in wb.sheet_names
        }
    except UnreadableFile:
        raise
    except Exception as exc:  # calamine raises its own error types for every kind of bad file
        raise UnreadableFile(_reason(exc)) from exc


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


def write_csv(table: pd.DataFrame, path: Path) -> Path:
    """Write a table as UTF-8 CSV with BOM."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, encoding=CSV_ENCODING)
    return path


def read_csv(path: Path) -> pd.DataFrame:
    """Read a table written by `write_csv`, every column as text."""
    return pd.read_csv(path, dtype=str, encoding=CSV_ENCODING, keep_default_na=False)


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
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, header=False, encoding=CSV_ENCODING)
    return path


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
