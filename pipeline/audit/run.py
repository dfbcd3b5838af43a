"""The audit of published reports as one library function, `run_audit(paths, out)`: every report
in the paths read cell by cell, checked by the catalog's rules, compared with the same issuer's
report of the year before, and written to its own folder (`output/audit/`).

What it writes (UTF-8 with BOM, through `pipeline.store`):
- `cells.csv`: one row per cell read (`CELLS_COLUMNS`), with where it stands and how it was read;
- `issues.csv` (`ISSUES_COLUMNS`) and `issues.html`: the findings, each with its file and where;
- `reports.csv` (`REPORTS_COLUMNS`): one row per file, with what was read and the standing of
  the sum rules. The rules used to split figures that ran together are listed apart
  (`sums_split`, `split_rules`): they are never counted as held.

The folder is written whole or not at all: into a staging folder beside it, then swapped in. Only
a folder the audit made itself (marked `.xxgk-audit`) is ever replaced, and the folder may never be
an input, inside one, or hold one.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import store
from pipeline.audit.checks import (
    BROKEN,
    HELD,
    SPLIT,
    UNKNOWN,
    single_row_findings,
    standing_counts,
    sum_standings,
)
from pipeline.audit.narrative import (
    SIMILAR_MIN_CHARS,
    masked,
    part_similarities,
    similar_findings,
)
from pipeline.audit.read import CELL_COLUMNS, PublishedReport, as_ingested, read_report
from pipeline.audit.tables import OTHER_TOTAL, S3_KEYS, cell_label
from pipeline.files.document import finding
from pipeline.format2021 import AMOUNT_COLS, SECTIONS, number_text
from pipeline.inputs import CannotStart
from pipeline.paths import AUDIT_MARK, JUNK_NAMES, JUNK_PREFIXES, AuditPaths, readable_name
from pipeline.problems import ERROR, INFO, RULES, SEVERITY_LABELS, WARNING
from pipeline.render.environment import page
from pipeline.validate import LastYear, validated_findings

CELLS_COLUMNS = [*CELL_COLUMNS[:6], "label", *CELL_COLUMNS[6:]]
ISSUES_COLUMNS = [
    "severity",
    "rule",
    "file",
    "issuer",
    "year",
    "where",
    "section",
    "row",
    "col",
    "text",
    "value",
    "expected",
    "message",
    "suggestion",
]
REPORTS_COLUMNS = [
    "file",
    "issuer",
    "year",
    "format",
    "tables",
    "cells_read",
    "cells_split",
    "cells_unread",
    "errors",
    "warnings",
    "infos",
    "sums_held",
    "sums_broken",
    "sums_unknown",
    "sums_split",
    "split_rules",
    "compared_with",
    "similarity",
    "old_format",
    "other_single_row",
]
READ = ("written", "split", "blank", "nil", "stated_none")  # read_as of a cell whose value is known
TABLE_NAMES = {"s2": "表二", "s3": "表三", "s4": "表四"}
FORMAT_ORDER = tuple(
    (code, row, col.code)
    for code in ("s2", "s3", "s4", "s6")
    for row in (S3_KEYS if code == "s3" else [r.code for r in SECTIONS[code].rows])
    for col in (
        SECTIONS[code].cols
        if row == OTHER_TOTAL
        else SECTIONS[code].cols_of(SECTIONS[code].row(row))
    )
)  # every cell a report may have, in the format's order (（六）'s one-row total in its place)
PARALLEL_FROM = 8  # files: below this, starting worker processes costs more than it saves
MAX_WORKERS = 8
LOCK_WAIT = 5.0  # seconds another audit writing the same folder is waited for


@dataclass(frozen=True)
class AuditResult:
    """What one audit read and found, and where it wrote it."""

    out: Path
    reports: tuple[PublishedReport, ...]  # every file read, in path order (named as in `file`)
    cells: pd.DataFrame  # cells.csv
    findings: pd.DataFrame  # issues.csv
    summary: pd.DataFrame  # reports.csv
    # files, reports (files with a table), cells (read), compared (with the year before), and
    # the findings by severity: error, warning, info
    counts: dict[str, int]
    written: tuple[Path, ...]

    @property
    def blocked(self) -> bool:
        """Whether some finding is an error (exit 1)."""
        return self.counts["error"] > 0


# -- the files ---------------------------------------------------------------------------------
def junk(path: Path) -> bool:
    """Whether a file is what programs leave beside documents (`~$x.docx`, `.DS_Store`, hidden
    files), not a report."""
    name = path.name
    return name.startswith(JUNK_PREFIXES) or name in JUNK_NAMES or name.startswith(".")


def audit_files(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    """Every file to read in `paths` (folders recursively, junk and hidden folders skipped), each
    with the name the outputs give it: its path inside the folder given, or its own name."""
    out: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for given in paths:
        if not given.exists():
            raise CannotStart(f"找不到 {given}（请检查要审核的文件或文件夹）")
        if given.is_file():
            found = [(given, given.name)]
        else:
            found = []
            for p in sorted(_walk(given), key=lambda p: p.parts):
                found.append((p, p.relative_to(given).as_posix()))
        for path, name in found:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                out.append((path, readable_name(name)))
    names = Counter(name for _, name in out)
    # NOTE: two files shown alike (the same name in two folders given) are told apart by the
    # path as given
    return [(p, readable_name(p.as_posix()) if names[n] > 1 else n) for p, n in out]


def _walk(folder: Path) -> Iterator[Path]:
    for entry in folder.iterdir():
        if entry.name.startswith("."):
            continue  # NOTE: hidden folders (.git) and files are never reports
        if entry.is_dir():
            yield from _walk(entry)
        elif entry.is_file() and not junk(entry):
            yield entry


def check_apart(paths: Sequence[Path], out: Path) -> None:
    """Refuse an output folder that is an input, lies inside one, or holds one: replacing it
    could delete a report, and the next audit would read its own outputs as reports."""
    target = out.resolve()
    for given in paths:
        source = given.resolve()
        if source == target or source in target.parents or target in source.parents:
            raise CannotStart(
                f"输出文件夹 {out} 与要审核的 {given} 重叠（相同、在其中或包含它），"
                "为免改动或删除要审核的报告，未运行；请把 --out 设为要审核的文件和文件夹之外的文件夹"
            )


def check_out(out: Path) -> None:
    """Refuse an output folder that exists but was not made by an audit (or is a file)."""
    if out.exists() and not out.is_dir():
        raise CannotStart(f"输出位置 {out} 是一个文件，不是文件夹；请换一个 --out")
    if out.is_dir() and not (out / AUDIT_MARK).is_file() and any(out.iterdir()):
        raise CannotStart(
            f"{out} 已存在，但不是 xxgk audit 生成的文件夹（没有 {AUDIT_MARK} 标记），"
            "为免改动其中的文件，未运行；请换一个 --out，或先移走它"
        )


# -- the audit ---------------------------------------------------------------------------------
def run_audit(
    paths: list[Path], out: Path, *, progress: Callable[[int], None] | None = None
) -> AuditResult:
    """Read, check and compare every published report in `paths`; write the outputs to `out`."""
    paths = [Path(p) for p in paths]
    out = Path(out)
    if not paths:
        raise CannotStart("没有给出要审核的文件或文件夹")
    check_apart(paths, out)
    check_out(out)
    files = audit_files(paths)
    if not files:
        shown = "、".join(str(p) for p in paths)
        raise CannotStart(f"{shown} 中没有可审核的文件")
    return audited(read_all(files, progress), out)


def read_all(
    files: list[tuple[Path, str]], progress: Callable[[int], None] | None = None
) -> list[PublishedReport]:
    """Every file read (each under the name the outputs give it), in order; on every core when
    there are many (a PDF takes about half a second)."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if len(files) < PARALLEL_FROM or workers < 2:
        reports = []
        for item in files:
            reports.append(_read_one(item))
            if progress is not None:
                progress(1)
        return reports
    reports = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # NOTE: one file a task: PDFs take a hundred times as long as text, so larger shares
        # would leave a core idle at the end; what comes back (a report's cells and text) is small
        for report in pool.map(_read_one, files):
            reports.append(report)
            if progress is not None:
                progress(1)
    return reports


def _read_one(item: tuple[Path, str]) -> PublishedReport:
    path, name = item
    return _named(read_report(path), name)


def audited(reports: list[PublishedReport], out: Path) -> AuditResult:
    """The reports already read, checked, compared across years and written to `out`."""
    per_report: dict[str, list[dict]] = {r.file: [] for r in reports}
    compared: dict[str, PublishedReport] = {}
    similarities: dict[str, dict[str, float]] = {}
    by_key = _first_of_each(reports, per_report)
    for r in reports:
        records = per_report[r.file]
        records += [{**f} for f in r.findings]
        if not _comparable(r):
            continue
        before = by_key.get((_who(r), r.year - 1))
        if before is None:
            records.append(
                finding(
                    "audit.no_last_year",
                    file=r.file,
                    issuer=r.issuer,
                    year=r.year,
                    last_year=r.year - 1,
                    unit=r.issuer,
                )
            )
            continue
        compared[r.file] = before
        records += similar_findings(r, before)
        similarities[r.file] = _judged_similarities(r, before)
    checked = _checked([r for r in reports if r.tables_found], compared)
    for r in reports:
        per_report[r.file] += checked.get(r.file, [])
        per_report[r.file] += single_row_findings(r)
    findings = _findings(reports, per_report)
    cells = _cells(reports)
    summary = _summary(reports, findings, compared, similarities)
    counts = {
        "files": len(reports),
        "reports": sum(1 for r in reports if r.tables_found),
        "cells": int(cells["read_as"].isin(READ).sum()),
        "compared": len(compared),
        **{
            s: int((findings["severity"] == s).sum()) if len(findings) else 0
            for s in (ERROR, WARNING, INFO)
        },
    }
    html = audit_page(reports, findings, summary, counts)
    written = _write(AuditPaths(out), cells, findings, summary, html)
    return AuditResult(out, tuple(reports), cells, findings, summary, counts, written)


def _named(report: PublishedReport, name: str) -> PublishedReport:
    """The report under the name the outputs give its file (its path inside the folder given)."""
    if name == report.file:
        return report
    findings = [{**f, "file": name} for f in report.findings]
    return replace(report, file=name, cells=report.cells.assign(file=name), findings=findings)


def _who(report: PublishedReport) -> str:
    """The issuer as matched across years: NFKC, without spaces."""
    return "".join(unicodedata.normalize("NFKC", report.issuer).split())


def _comparable(report: PublishedReport) -> bool:
    """Whether a report is compared across years: its issuer and year known, a table read."""
    return bool(_who(report)) and report.year is not None and bool(report.tables_found)


def _first_of_each(
    reports: list[PublishedReport], per_report: dict[str, list[dict]]
) -> dict[tuple[str, int], PublishedReport]:
    """The report of each issuer and year that is compared across years (the first by path); a
    warning on each other report of the same issuer and year."""
    first: dict[tuple[str, int], PublishedReport] = {}
    for r in reports:
        if not _comparable(r):
            continue
        key = (_who(r), r.year)
        if key not in first:
            first[key] = r
            continue
        per_report[r.file].append(
            finding(
                "audit.duplicate_report",
                file=r.file,
                other=first[key].file,
                issuer=r.issuer,
                year=r.year,
                unit=r.issuer,
            )
        )
    return first


def _judged_similarities(this: PublishedReport, last: PublishedReport) -> dict[str, float]:
    """The similarity to last year's of each narrative part long enough to be judged (part 六's
    one fee sentence is rightly the same every year: `narrative.SIMILAR_MIN_CHARS`)."""
    return {
        n: ratio
        for n, ratio in part_similarities(this, last).items()
        if min(len(masked(this.parts[n].text)), len(masked(last.parts[n].text)))
        >= SIMILAR_MIN_CHARS
    }


def _unit_cells(reports: list[PublishedReport]) -> pd.DataFrame:
    """Reports' cells as the validator takes them (`ingested_cells`, all at once), each unit named
    as matched across years."""
    cells = pd.concat([r.cells for r in reports], ignore_index=True)
    sizes = [len(r.cells) for r in reports]
    unit = pd.Series(np.repeat([_who(r) or r.file for r in reports], sizes), dtype=object)
    sheet = pd.Series(np.repeat([r.format for r in reports], sizes), dtype=object)
    return as_ingested(cells, unit, sheet)


def _checked(
    reports: list[PublishedReport], befores: dict[str, PublishedReport]
) -> dict[str, list[dict]]:
    """The findings of the catalog's rules on each report (by file), with the rules across years
    against the report of the year before (`befores`, by file) where there is one.

    NOTE: the validator is called once per year for all that year's reports (its fixed cost,
    ≈ 0.1 s a call, would otherwise be most of an audit of text reports), with the year before's
    reports as one LastYear: cells are matched by unit, i.e. by issuer."""
    groups: dict[int | None, list[PublishedReport]] = {}
    for r in reports:
        groups.setdefault(r.year if _comparable(r) else None, []).append(r)
    out: dict[str, list[dict]] = {r.file: [] for r in reports}
    for year, group in groups.items():
        cells = _unit_cells(group)
        earlier = list({id(b): b for r in group if (b := befores.get(r.file))}.values())
        last = None
        if year is not None and earlier:
            last_cells = _unit_cells(earlier)
            last = LastYear(year - 1, last_cells, "、".join(b.file for b in earlier))
        by_unit = {_who(r) or r.file: r.file for r in group}
        for f in validated_findings(cells, last=last).to_dict("records"):
            # NOTE: every finding of the validator names its file; one that did not would be
            # put with its unit's report, never dropped
            file = f["file"] if f["file"] in out else by_unit.get(f["unit"], group[0].file)
            out[file].append(_placed(f))
    return out


def _placed(record: dict) -> dict:
    """A finding of the validator, its place (`cell`: where the figure stands) as `where`."""
    return {**record, "where": record.get("cell", "")}


def _findings(reports: list[PublishedReport], per_report: dict[str, list[dict]]) -> pd.DataFrame:
    """Every finding, by report in path order, errors first within each."""
    rows = []
    for order, r in enumerate(reports):
        for f in per_report[r.file]:
            rows.append(
                {
                    **{c: "" for c in ISSUES_COLUMNS},
                    **{c: _text(f.get(c, "")) for c in ISSUES_COLUMNS},
                    "file": r.file,
                    "issuer": r.issuer,
                    "year": "" if r.year is None else str(r.year),
                    "_order": order,
                }
            )
    if not rows:
        return pd.DataFrame(columns=ISSUES_COLUMNS)
    table = pd.DataFrame(rows)
    rank = table["severity"].map({ERROR: 0, WARNING: 1, INFO: 2}).fillna(3)
    table = table.assign(_rank=rank).sort_values(["_order", "_rank"], kind="stable")
    return table[ISSUES_COLUMNS].reset_index(drop=True)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def _cells(reports: list[PublishedReport]) -> pd.DataFrame:
    """cells.csv: every report's cells, the value printed as the number it stands for."""
    frames = [r.cells for r in reports if len(r.cells)]
    if not frames:
        return pd.DataFrame(columns=CELLS_COLUMNS)
    cells = pd.concat(frames, ignore_index=True)
    # NOTE: in the format's order within each file (reading order puts 表二's blocks as printed)
    order = {(s, r, c): i for i, (s, r, c) in enumerate(FORMAT_ORDER)}
    position = [
        order.get(k, len(order))
        for k in zip(cells["section"], cells["row"], cells["col"], strict=True)
    ]
    files = {f: i for i, f in enumerate(dict.fromkeys(cells["file"]))}
    cells = (
        cells.assign(_file=cells["file"].map(files), _at=position)
        .sort_values(["_file", "_at"], kind="stable")
        .drop(columns=["_file", "_at"])
        .reset_index(drop=True)
    )
    # NOTE: counts print as they are stored; only amounts (万元, 元) need their decimals
    shown = cells["value"].astype("string").fillna("")
    money = cells["col"].isin(AMOUNT_COLS) & cells["value"].notna()
    shown[money] = [
        number_text(int(v), s, c)
        for v, s, c in cells.loc[money, ["value", "section", "col"]].itertuples(index=False)
    ]
    keys = list(zip(cells["section"], cells["row"], cells["col"], strict=True))
    labels = {k: cell_label(*k) for k in dict.fromkeys(keys)}
    cells = cells.assign(
        value=shown,
        label=[labels[k] for k in keys],
        year=cells["year"].astype("string").fillna(""),
    )
    return cells[CELLS_COLUMNS]


def _summary(
    reports: list[PublishedReport],
    findings: pd.DataFrame,
    compared: dict[str, PublishedReport],
    similarities: dict[str, dict[str, float]],
) -> pd.DataFrame:
    """reports.csv: one row per file read."""
    by_file = findings.groupby(["file", "severity"]).size().to_dict() if len(findings) else {}
    rows = []
    for r in reports:
        standings = sum_standings(r)
        n = standing_counts(standings)
        read_as = r.cells["read_as"]
        rows.append(
            {
                "file": r.file,
                "issuer": r.issuer,
                "year": "" if r.year is None else str(r.year),
                "format": r.format,
                "tables": " ".join(TABLE_NAMES[t] for t in r.tables_found),
                "cells_read": int(read_as.isin(READ).sum()),
                "cells_split": int((read_as == "split").sum()),
                "cells_unread": int((~read_as.isin(READ)).sum()),
                "errors": by_file.get((r.file, ERROR), 0),
                "warnings": by_file.get((r.file, WARNING), 0),
                "infos": by_file.get((r.file, INFO), 0),
                "sums_held": n[HELD],
                "sums_broken": n[BROKEN],
                "sums_unknown": n[UNKNOWN],
                "sums_split": n[SPLIT],
                "split_rules": " ".join(f"{rule}:{key}" for rule, key in sorted(r.split_rules)),
                "compared_with": compared[r.file].file if r.file in compared else "",
                "similarity": " ".join(
                    f"{n}:{v:.2f}" for n, v in similarities.get(r.file, {}).items()
                ),
                "old_format": "、".join(r.old_format),
                "other_single_row": "是" if r.other_single_row else "",
            }
        )
    return pd.DataFrame(rows, columns=REPORTS_COLUMNS)


# -- the page ----------------------------------------------------------------------------------
def audit_page(
    reports: list[PublishedReport],
    findings: pd.DataFrame,
    summary: pd.DataFrame,
    counts: dict[str, int],
) -> str:
    """issues.html: the counts, the reports read, then the findings by report."""
    rows = findings.to_dict("records")
    for f in rows:
        f["severity_label"] = SEVERITY_LABELS.get(f["severity"], f["severity"])
        f["title"] = RULES[f["rule"]].title if f["rule"] in RULES else ""
    by_rule = Counter((f["rule"], f["severity"]) for f in rows)
    listed = summary.to_dict("records")
    by_file: dict[str, list[dict]] = {}
    for f in rows:
        by_file.setdefault(f["file"], []).append(f)
    return page(
        "audit.html.j2",
        counts=counts,
        by_rule=[
            {
                "rule": rule,
                "title": RULES[rule].title if rule in RULES else "",
                "severity": severity,
                "severity_label": SEVERITY_LABELS.get(severity, severity),
                "count": count,
            }
            for (rule, severity), count in sorted(
                by_rule.items(), key=lambda kv: ({ERROR: 0, WARNING: 1}.get(kv[0][1], 2), kv[0][0])
            )
        ],
        reports=[
            {
                **s,
                "findings": by_file.get(s["file"], []),
                "similarity_shown": _similarity_shown(s["similarity"]),
            }
            for s in listed
        ],
    )


def _similarity_shown(text: str) -> str:
    return (
        "，".join(f"第{p.split(':')[0]}部分 {p.split(':')[1]}" for p in text.split())
        if text
        else ""
    )


# -- writing -----------------------------------------------------------------------------------
def _write(
    where: AuditPaths,
    cells: pd.DataFrame,
    findings: pd.DataFrame,
    summary: pd.DataFrame,
    html: str,
) -> tuple[Path, ...]:
    """Write the four outputs into a staging folder beside `where.out`, then swap it in."""
    with _locked(where):
        _recover(where)
        staging = where.staging(os.getpid())
        if staging.exists():
            shutil.rmtree(staging)
        try:
            staged = AuditPaths(staging)
            store.write_text("xxgk audit\n", staged.mark)
            store.write_csv(cells, staged.cells)
            store.write_csv(findings, staged.issues_csv)
            store.write_text(html, staged.issues_html)
            store.write_csv(summary, staged.reports)
            _swap(where, staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return (where.cells, where.issues_csv, where.issues_html, where.reports)


def _swap(where: AuditPaths, staging: Path) -> None:
    """Put the finished staging folder in place of the output folder."""
    check_out(where.out)  # NOTE: again, just before: the folder may have appeared meanwhile
    old = where.set_aside(os.getpid())
    if where.out.exists():
        where.out.rename(old)
    staging.rename(where.out)
    if old.exists():
        shutil.rmtree(old)


def _recover(where: AuditPaths) -> None:
    """Undo what an audit killed mid-swap left: the previous outputs put back if only their
    set-aside copy is left; leftover staging and set-aside folders (marked) removed."""
    leftovers = [p for p in where.leftovers() if (p / AUDIT_MARK).is_file()]
    olds = [p for p in leftovers if ".old-" in p.name]
    if olds and not where.out.exists():
        olds[-1].rename(where.out)
        leftovers.remove(olds[-1])
    for p in leftovers:
        shutil.rmtree(p, ignore_errors=True)


@contextmanager
def _locked(where: AuditPaths) -> Iterator[None]:
    """Hold the output folder's lock while writing it: one audit at a time per folder."""
    where.lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(where.lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise CannotStart(f"另一个审核正在写入 {where.out}，请稍后再试。") from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # NOTE: closing releases the lock; the file stays for the next audit


__all__ = [
    "CELLS_COLUMNS",
    "ISSUES_COLUMNS",
    "REPORTS_COLUMNS",
    "AuditResult",
    "audit_files",
    "audited",
    "run_audit",
]
