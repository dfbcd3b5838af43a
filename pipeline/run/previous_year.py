"""Last year's cells for the rules across years, from the first source that can be used: last
year's run, else its returns, else its published reports; each of last year's units is put
under this year's unit it is (`UnitsAcrossYears`); what could not be used is said, never a
reason to stop."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd

from pipeline import aggregate as agg
from pipeline import store
from pipeline.ingest.register import RECEIVED, UnitIndex
from pipeline.ingest.vocabulary import norm
from pipeline.inputs import CannotStart, read_units, unit_names
from pipeline.memo import Memo
from pipeline.paths import Paths, listing
from pipeline.problems import INFO, READING, finding
from pipeline.run.checks import log
from pipeline.run.reading import read_year
from pipeline.validate.years import LastYear

if TYPE_CHECKING:
    from pipeline.ingest.published import PublishedReport


class UnitsAcrossYears:
    """This year's unit each unit of last year is: by its code first, then by the names and
    aliases of both years' rosters. The one answer the rules across years and `year.sources`
    both use: last year's cells are put under this year's unit before either sees them."""

    def __init__(self, units: pd.DataFrame, last_units: pd.DataFrame | None, last_year: int):
        self.index = UnitIndex(units)
        self.last_index = UnitIndex(last_units) if last_units is not None else None
        self.last_year = last_year
        # last year's code → its name and aliases in last year's roster
        self.last_names: dict[str, list[str]] = {}
        if last_units is not None:
            for unit in last_units.itertuples():
                self.last_names[unit.code] = unit_names(unit._asdict())

    def of(self, code: str, name: str) -> tuple[str, ...]:
        """The codes of this year's units that last year's unit (`code`, `name`) is: its own
        code when this year's roster has it, else each unit of this year's roster named by one of
        its names (its name, and its name and aliases in last year's roster)."""
        if code in self.index.name_of:
            return (code,)
        names = (norm(n) for n in [name, *self.last_names.get(code, ())] if n.strip())
        return tuple(sorted({self.index.names[n] for n in names if n in self.index.names}))

    def of_issuer(self, text: str) -> dict[str, str]:
        """This year's units a published report's issuer (or file name) names, by this year's
        names and aliases, and by last year's through the unit they belong to: each code with
        the name its unit had last year (its name in last year's roster when `text` names it
        there, else the alias `text` is, else its name this year)."""
        key, found = norm(text), {}
        for code in self.index.match(text):
            now = self.index.name_of[code]
            # NOTE: a report named by an alias (an old name kept in this year's roster) says so
            alias = self.index.names.get(key) == code and key != norm(now)
            found[code] = text.strip() if alias else now
        if self.last_index is not None:
            for last in self.last_index.match(text):
                for code in self.of(last, self.last_index.name_of[last]):
                    found[code] = self.last_index.name_of[last]
        return found

    def rekeyed(self, cells: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
        """Last year's cells under this year's unit (its name and code); this year's units that
        last year had another name (this year's name → last year's); what could not be put under
        one unit, and why (left out: never a guess). A unit of no unit this year keeps its own."""
        target: dict[tuple[str, str], tuple[str, str]] = {}
        renamed: dict[str, str] = {}
        problems: list[str] = []
        claimed: dict[str, list[str]] = {}  # this year's code → last year's units put under it
        for code, name in cells[["unit_code", "unit"]].drop_duplicates().itertuples(index=False):
            codes = self.of(code, name)
            if len(codes) > 1:
                shown = "、".join(self.index.name_of[c] for c in codes)
                problems.append(
                    f"{self.last_year}年度的{name}按名称对应到本年名册中的多个单位（{shown}），"
                    "其上年数据未使用"
                )
                continue
            if not codes:
                target[code, name] = (code, name)
                continue
            now = self.index.name_of[codes[0]]
            target[code, name] = (codes[0], now)
            claimed.setdefault(codes[0], []).append(name)
        for code, names in claimed.items():
            if len(names) > 1:
                now = self.index.name_of[code]
                problems.append(
                    f"本年的{now}对应到{self.last_year}年度的多个单位（{'、'.join(names)}），"
                    "其上年数据未使用"
                )
                target = {k: v for k, v in target.items() if v[0] != code}
            elif names[0] != self.index.name_of[code]:
                renamed[self.index.name_of[code]] = names[0]
        moved = pd.DataFrame(
            [(*k, *v) for k, v in target.items()], columns=["unit_code", "unit", "code", "name"]
        )
        out = cells.merge(moved, on=["unit_code", "unit"], how="inner")  # NOTE: keeps the order
        out = out.drop(columns=["unit_code", "unit"]).rename(
            columns={"code": "unit_code", "name": "unit"}
        )
        return out[list(cells.columns)], renamed, problems


def read_last_year(
    paths: Paths, memo: Memo | None = None, units: pd.DataFrame | None = None
) -> LastYear:
    """Last year's received cells for the rules across years: for each unit, from the first
    source that has it — last year's run, else last year's returns, else last year's published
    report (raw/<year-1>/published/) — read once and handed to every stage that needs them."""
    if units is None and paths.units.is_file():
        units = read_units(paths.units)
    return _read_last_year(paths.previous(), memo if memo is not None else Memo(), units)


def _read_last_year(prev: Paths, memo: Memo, units: pd.DataFrame | None = None) -> LastYear:
    """Last year's cells, unit by unit from the first source that has them, each unit under this
    year's unit it is; what could not be used, and why, is said, never a reason to stop."""
    unusable: list[str] = []
    parts: list[pd.DataFrame] = []
    sources: dict[str, str] = {}  # unit (this year's name) → where its cells came from
    renamed: dict[str, str] = {}  # this year's name → last year's
    notes: list[dict] = []
    wanted = None if units is None else set(units["name"])
    across = None if units is None else UnitsAcrossYears(units, _roster(prev, unusable), prev.year)

    def take(cells: pd.DataFrame, where: str) -> None:
        if across is not None:
            cells, names, problems = across.rekeyed(cells)
            unusable.extend(p for p in problems if p not in unusable)
        new = cells[~cells["unit"].isin(sources)]
        for unit in dict.fromkeys(new["unit"]):
            sources[unit] = where
            if across is not None and unit in names:
                renamed[unit] = names[unit]
        if len(new):
            parts.append(new)

    def complete() -> bool:
        return wanted is not None and wanted <= sources.keys()

    if prev.ingested_cells.exists() and prev.ingested_returns.exists():
        where = f"上一年度的处理结果 {prev.ingested}"
        try:
            read = agg.received_cells(
                store.read_cells(prev.ingested_cells), store.read_csv(prev.ingested_returns)
            )
        except Exception as exc:  # NOTE: a corrupt Parquet or CSV fails in many ways
            log.warning("上一年度的处理结果无法读取", exc_info=True)
            unusable.append(f"{where}无法读取（{_why(exc)}）")
        else:
            take(read, where)
    if not complete() and prev.units.is_file():
        where = f"{prev.raw} 中的报表"
        try:
            ingested = read_year(prev, memo)
        except Exception as exc:  # NOTE: a faulty roster of last year, or any unreadable input
            log.warning("上一年度的报表无法读取", exc_info=True)
            unusable.append(f"{where}无法使用（{_why(exc)}）")
        else:
            files = ingested.files
            bad = files[files["status"] != RECEIVED]
            if len(bad):
                listed = "、".join(bad["file"].head(5)) + ("等" if len(bad) > 5 else "")
                unusable.append(f"{where}中有{len(bad)}个无法使用（{listed}）")
            received = agg.received_cells(ingested.cells, files)
            if not len(received) and not len(bad) and not prev.published.is_dir():
                unusable.append(f"{where}中没有报表")
            take(received, where)
    elif not complete() and prev.raw.is_dir() and not prev.published.is_dir():
        unusable.append(f"{prev.raw} 中没有单位名册 units.csv")
    if not complete() and across is not None and prev.published.is_dir():
        where = f"{prev.published} 中的已发布报告"
        cells, problems, found = published_cells(prev, across)
        unusable += problems
        # NOTE: a unit whose cells came from a source before is not affected by its reports
        notes += [f for f in found if f["unit"] not in sources]
        take(cells, where)
    shown = tuple(f"{now}（{prev.year}年为{old}）" for now, old in renamed.items())
    if parts:
        cells = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        return LastYear(
            prev.year,
            cells,
            _sources_text(sources),
            tuple(unusable),
            sources,
            renamed=shown,
            notes=tuple(notes),
        )
    if not unusable and not notes:
        return LastYear(
            prev.year, None, f"既没有{prev.year}年度的报表文件夹，也没有{prev.year}年度的运行结果"
        )
    where = "；".join(unusable) or f"{prev.published} 中的已发布报告均未使用"
    return LastYear(prev.year, None, where, tuple(unusable), notes=tuple(notes))


def _roster(prev: Paths, unusable: list[str]) -> pd.DataFrame | None:
    """Last year's roster, for the names and aliases its units had; None when there is none (a
    faulty one is said, and last year's units are then found by code and this year's names)."""
    if not prev.units.is_file():
        return None
    try:
        return read_units(prev.units)
    except (CannotStart, OSError) as exc:
        unusable.append(f"{_why(exc)}；上一年度的单位只按代码和本年名册的名称、别名对应")
        return None


def _sources_text(sources: dict[str, str]) -> str:
    """Where last year's cells came from, counted by source."""
    counted: dict[str, int] = {}
    for where in sources.values():
        counted[where] = counted.get(where, 0) + 1
    if len(counted) == 1:
        return next(iter(counted))
    return "；".join(f"{n}个单位来自{where}" for where, n in counted.items())


def published_cells(
    prev: Paths, across: UnitsAcrossYears
) -> tuple[pd.DataFrame, list[str], list[dict]]:
    """The cells of last year's published reports (raw/<year-1>/published/), each matched to
    this year's unit by its issuer (`across`); what was not used, and why; the findings of a
    unit's reports compared (two that disagree: neither is used). A report of another year, or
    of no one unit of the rosters, is not used."""
    from pipeline.ingest.published import read_report

    problems: list[str] = []
    found: dict[str, list[PublishedReport]] = {}  # this year's code → its reports, in path order
    last_names: dict[str, str] = {}  # this year's code → the unit's name last year
    for path in listing(prev.published).files:
        shown = path.relative_to(prev.raw).as_posix()
        report = replace(read_report(path), file=shown)
        if not report.tables_found:
            # NOTE: a file that could not be read (a PDF with an opening password, a broken
            # link) is said, never taken as a report with no figures
            why = next(
                (
                    f["message"]
                    for f in report.findings
                    if f.get("about") == READING and f.get("severity") != INFO
                ),
                "其中找不到年报表格",
            )
            problems.append(f"已发布报告“{shown}”未能读取，未使用（{str(why).rstrip('。')}）")
            continue
        if report.year != prev.year:
            problems.append(
                f"已发布报告“{shown}”是{report.year or '年度不明'}"
                f"{'年' if report.year else ''}的报告，不是{prev.year}年度的，未使用"
            )
            continue
        named = across.of_issuer(report.issuer) or across.of_issuer(path.stem)
        if len(named) != 1:
            problems.append(
                f"已发布报告“{shown}”的发布机关“{report.issuer or '不明'}”对应不到名册中唯一的单位，未使用"
            )
            continue
        code, name = next(iter(named.items()))
        found.setdefault(code, []).append(report)
        if last_names.setdefault(code, name) == across.index.name_of[code]:
            last_names[code] = name  # NOTE: last year's roster's name, when a report gives it
    tables, notes = [], []
    for code, group in found.items():
        unit = across.index.name_of[code]
        used, found_here = _one_of(group, unit, prev.year)
        notes += found_here
        if used is None:
            continue
        cells = used.cells[used.cells["value"].notna()]
        tables.append(
            pd.DataFrame(
                {
                    "unit": last_names[code],  # NOTE: `take` puts it under this year's name
                    "unit_code": code,
                    "file": used.file,
                    "section": cells["section"].astype(str),
                    "row": cells["row"].astype(str),
                    "col": cells["col"].astype(str),
                    "value": cells["value"].astype("Int64"),
                }
            )
        )
    columns = ["unit", "unit_code", "file", "section", "row", "col", "value"]
    cells = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)
    return cells, problems, notes


def _one_of(
    reports: list[PublishedReport], unit: str, year: int
) -> tuple[PublishedReport | None, list[dict]]:
    """The one of a unit's published reports of last year that is used (None when two of them
    disagree where both were read), and the findings of comparing them."""
    from pipeline.audit.compare import agreement, differences_text

    if len(reports) == 1:
        return reports[0], []
    agreed = agreement(reports)
    notes = []
    for differ, report, other, pair in agreed.told():
        fields = {"unit": unit, "last_year": year, "compared": pair.compared, "single": pair.single}
        # NOTE: named in the message, not as the finding's file: that column names a return
        fields |= {"report": report.file, "other": other.file}
        if differ:
            cells = differences_text(pair)
            notes.append(
                finding("year.published_differ", **fields, count=len(pair.differing), cells=cells)
            )
        else:
            notes.append(finding("year.published_same", **fields))
    return agreed.used, notes


def _why(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text[:160]}" if not isinstance(exc, CannotStart) else text
