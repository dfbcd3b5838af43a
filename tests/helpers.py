"""Small builders shared by the tests: returns on disk, a raw year folder, parsed HTML tables."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from pipeline import store
from pipeline.format2021 import SECTIONS
from pipeline.paths import Paths
from pipeline.render.workbook import CellKey, write_return

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_RAW = ROOT / "raw"
FIXTURES = Path(__file__).parent / "fixtures"


def zeros() -> dict[CellKey, object]:
    """A return with every cell 0 (consistent)."""
    return {(code, r.code, c.code): 0 for code, s in SECTIONS.items() for r, c in s.cells}


def raw_year(
    tmp: Path,
    returns: dict[str, dict[CellKey, object]],
    year: int = 2023,
    *,
    formulas: bool = False,
    units: list[str] | None = None,
) -> Paths:
    """A raw/<year>/ folder under `tmp` with a register of `units` (default: the returns' units)
    and one return file per unit in `returns`; outputs go to tmp/output."""
    raw = tmp / "raw" / str(year)
    (raw / "returns").mkdir(parents=True)
    names = units if units is not None else list(returns)
    pd.DataFrame(
        {
            "code": [f"U{i:02d}" for i in range(len(names))],
            "name": names,
            "kind": "部门",
            "aliases": "",
        }
    ).to_csv(raw / "units.csv", index=False, encoding="utf-8-sig")
    for unit, values in returns.items():
        write_return(raw / "returns" / f"{unit}.xlsx", unit, year, values, formulas=formulas)
    return Paths(tmp / "raw", tmp / "output", year)


class TableCells(HTMLParser):
    """The text of each <td>/<th> of each <table> of a page, with its class."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[tuple[str, str]]] = []
        self._cell: list[str] | None = None
        self._class = ""

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag in ("td", "th"):
            self._cell, self._class = [], dict(attrs).get("class", "")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1].append(("".join(self._cell).strip(), self._class))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def command_line(paths: Paths, command: str = "", *options: str) -> list[str]:
    """`xxgk` arguments for the year of `paths`: the command (if any), --year, --raw and --out,
    then `options`; e.g. command_line(paths, "report", "--draft")."""
    where = ["--year", str(paths.year), "--raw", str(paths.raw_root), "--out", str(paths.out_root)]
    return [command, *where, *options] if command else [*where, *options]


def html_values(html: str) -> list[list[str]]:
    """The value cells of each table of a rendered report, in reading order."""
    parser = TableCells()
    parser.feed(html)
    return [[text for text, cls in table if cls == "value"] for table in parser.tables]


def with_totals(values: dict[CellKey, object]) -> dict[CellKey, object]:
    """`values` over a zero return, with every total of tables 三 and 四 made to add up."""
    from pipeline.render.workbook import formula_totals

    out = zeros() | values
    # NOTE: twice, since the row totals of 表三 include its outcome_total row, itself a total
    for total, parts in [*formula_totals().items()] * 2:
        if total not in values:
            out[total] = sum(out[p] for p in parts)
    return out


def validated(tmp: Path, returns: dict[str, dict[CellKey, object]]) -> list[tuple[str, str, str]]:
    """Ingest and validate `returns`; the findings as (unit, cell, rule), errors and warnings only."""
    from pipeline.run import run_ingest, run_validate

    paths = raw_year(tmp, returns)
    run_ingest(paths)
    run_validate(paths)
    findings = store.read_csv(paths.validated_findings)
    return [(f.unit, f.cell, f.rule) for f in findings.itertuples() if f.severity != "info"]


def require_tool(name: str, present: bool, why: str) -> None:
    """Skip, saying why, when a system tool is absent; in CI (CI=true) fail instead of skipping."""
    import os

    import pytest

    if present:
        return
    message = (
        f"{name} 不可用，{why}（Debian 软件包见 .ci/debian-packages.txt，make system-deps 安装）"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI 中不应缺少：{message}")
    pytest.skip(message)


def libreoffice_writer() -> str | None:
    """The soffice that can open Word files (Writer installed, not just the launcher), or None."""
    import shutil

    soffice = shutil.which("soffice")
    if not soffice:
        return None
    program = Path(soffice).resolve().parent
    return soffice if any(program.glob("libswlo.so*")) else None


def numbers_in(text: str) -> list[str]:
    """The standalone figures of a text, in order (`1.属于国家秘密` holds none; `456.5437` is one)."""
    import re

    return re.findall(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])", text)


CHROMIUM = "/usr/bin/chromium"


def chromium(tmp: Path, *args: str) -> str:
    """Run headless Chromium (no network, a fresh profile under `tmp`) and return what it prints."""
    import shutil
    import subprocess

    binary = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    require_tool("Chromium", binary is not None, "无法在浏览器中检查网页版式")
    profile = tmp / "chromium-profile"
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout
