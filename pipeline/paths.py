"""The one registry of paths: every file a stage reads or writes is named here."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

# NOTE: files programs leave beside a document; any other name (even "..年报.xlsx") is read or reported
JUNK_PREFIXES = ("~$", ".~lock.", "._")  # Excel/WPS owner files, LibreOffice locks, macOS forks
JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep"}


def junk(name: str) -> bool:
    """Whether a file name is what programs leave beside documents, not a document: owner and
    lock files (`~$x.xlsx`, `.~lock.x#`), Word's temporary files (`~WRL0001.tmp`), macOS forks
    and system files (`._x.xlsx`, `.DS_Store`, `Thumbs.db`)."""
    return (
        name.startswith(JUNK_PREFIXES)
        or name in JUNK_NAMES
        or (name.startswith("~") and name.lower().endswith(".tmp"))
    )


def hidden_folder(name: str) -> bool:
    """Whether a folder is one people never see or fill (`.git`, `.Trash`): skipped whole."""
    # NOTE: a hidden file is read: on Windows nothing is hidden by its name ("..年报.xlsx")
    return name.startswith(".")


@dataclass(frozen=True)
class Listing:
    """What a folder holds, in path order: the entries to read (files, and anything else that
    is not a folder: a broken link or a pipe is a file its reader cannot open and says why), and
    what was skipped (`junk` files; a hidden folder whole, as one entry)."""

    files: list[Path]
    skipped: list[Path]


def listing(folder: Path) -> Listing:
    """Everything under `folder` to read, and what was skipped, folders walked recursively (a
    linked folder too, each real folder once, so a link loop ends)."""
    files: list[Path] = []
    skipped: list[Path] = []
    seen: set[tuple[int, int]] = set()
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            key = _identity(current)
            if key in seen:
                continue  # NOTE: a link back to a folder already walked: its files are listed
            seen.add(key)
            entries = list(os.scandir(current))
        except OSError:
            if current != folder:
                files.append(current)  # NOTE: a folder that cannot be listed: its reader says why
            continue
        for entry in entries:
            path = Path(entry.path)
            if _is_folder(entry):
                (skipped if hidden_folder(entry.name) else pending).append(path)
            elif junk(entry.name):
                skipped.append(path)
            else:
                files.append(path)
    # NOTE: sorted by parts, as Path sorts, but without Path's slow comparisons
    return Listing(sorted(files, key=lambda p: p.parts), sorted(skipped, key=lambda p: p.parts))


def _identity(folder: Path) -> tuple[int, int]:
    st = folder.stat()
    return st.st_dev, st.st_ino


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()  # NOTE: follows a link; False for a broken link or a link loop
    except OSError:
        return False


@dataclass(frozen=True)
class Paths:
    """Where one year's inputs are and where its products go."""

    raw_root: Path
    out_root: Path
    year: int
    staging: Path | None = None  # where this run writes before its outputs are swapped into place

    def previous(self) -> Paths:
        """The same places for the year before."""
        return Paths(self.raw_root, self.out_root, self.year - 1)

    # -- inputs (raw/<year>/, never written by code) ------------------------------------------
    @cached_property
    def raw(self) -> Path:
        return self.raw_root / str(self.year)

    @property
    def units(self) -> Path:
        return self.raw / "units.csv"

    @property
    def config(self) -> Path:
        return self.raw / "config.toml"

    @property
    def returns_dir(self) -> Path:
        return self.raw / "returns"

    @property
    def published(self) -> Path:
        """The year's published reports (any format `xxgk audit` reads): a later year's baseline."""
        return self.raw / "published"

    @property
    def narrative(self) -> Path:
        return self.raw / "narrative.md.j2"

    @property
    def supplied(self) -> Path:
        """The figures the county's narrative uses that no table holds (named values, TOML)."""
        return self.raw / "narrative.toml"

    @property
    def narratives(self) -> Path:
        """The bodies' own narratives and the figures they use (narratives/<unit>.md.j2, .toml)."""
        return self.raw / "narratives"

    @property
    def reviewed(self) -> Path:
        """The office's decisions on findings (核实记录: docs/reviewed.md)."""
        return self.raw / "reviewed.csv"

    def unit_supplied(self, unit: str) -> Path:
        """The figures a body's own narrative uses that no table holds (docs/publication.md)."""
        return self.raw / "narratives" / f"{safe_name(unit)}.toml"

    def unit_narrative(self, unit: str) -> Path:
        """A body's own narrative for its 本机关 report (jinja2, like narrative.md.j2)."""
        return self.raw / "narratives" / f"{safe_name(unit)}.md.j2"

    def return_files(self) -> list[Path]:
        """Every file in returns/ to read (spreadsheets or not: a stray file is reported, not
        skipped; a broken link or a pipe too, as a file that cannot be opened)."""
        if not self.returns_dir.is_dir():
            return []
        return listing(self.returns_dir).files

    def skipped_returns(self) -> list[Path]:
        """What returns/ holds that is not read: owner, lock and temporary files, hidden ones."""
        if not self.returns_dir.is_dir():
            return []
        return listing(self.returns_dir).skipped

    def relative(self, path: Path) -> str:
        """A return's name as findings show it: relative to raw/<year>/, always valid text."""
        try:
            name = path.relative_to(self.raw).as_posix()
        except ValueError:
            name = path.as_posix()
        return readable_name(name)

    # -- products (output/<year>/, in stage order) ---------------------------------------------
    @property
    def out(self) -> Path:
        return self.staging or self.out_root / str(self.year)

    def shown(self, path: Path) -> Path:
        """Where `path`, written by this run, is for the user: in the output folder, never in the
        staging folder it is written to first (which is gone once the run has ended)."""
        if self.staging is None:
            return path
        try:
            return self.out_root / str(self.year) / path.relative_to(self.staging)
        except ValueError:
            return path

    @property
    def lock(self) -> Path:
        return self.out_root / f".{self.year}.lock"

    @property
    def logs(self) -> Path:
        return self.out / "logs"

    @property
    def manifest(self) -> Path:
        return self.out / "manifest.json"

    @property
    def ingested(self) -> Path:
        return self.out / "01_ingested"

    @property
    def ingested_cells(self) -> Path:
        return self.ingested / "cells.csv"

    @property
    def ingested_returns(self) -> Path:
        return self.ingested / "returns.csv"

    @property
    def ingested_findings(self) -> Path:
        return self.ingested / "findings.csv"

    @property
    def validated(self) -> Path:
        return self.out / "02_validated"

    @property
    def validated_findings(self) -> Path:
        return self.validated / "findings.csv"

    @property
    def issues_csv(self) -> Path:
        return self.out / "issues.csv"

    @property
    def issues_html(self) -> Path:
        return self.out / "issues.html"

    @property
    def feedback(self) -> Path:
        return self.out / "feedback"

    def feedback_file(self, unit: str, suffix: str) -> Path:
        """The marked-up copy of a unit's return, to send back (same format when it can be kept)."""
        kept = suffix.lower() if suffix.lower() in (".xlsx", ".xlsm") else ".xlsx"
        return self.feedback / f"{safe_name(unit)}_问题反馈{kept}"

    def unit_tables(self, section: str) -> Path:
        return self.validated / f"unit_{section}.csv"

    @property
    def aggregated(self) -> Path:
        return self.out / "03_aggregated"

    @property
    def county_cells(self) -> Path:
        return self.aggregated / "county_cells.csv"

    @property
    def county_findings(self) -> Path:
        return self.aggregated / "county_findings.csv"

    @property
    def register(self) -> Path:
        """The roll call (报送登记): each unit of units.csv as received, missing, duplicate …"""
        return self.out / "register.csv"

    @property
    def templates(self) -> Path:
        return self.out / "templates"

    def template(self, unit: str) -> Path:
        """The return workbook to send to `unit` (empty: the blank generic copy)."""
        name = safe_name(unit) if unit else "空白模板"
        return self.templates / f"{name}{self.year}年政府信息公开工作年度报告数据.xlsx"

    @property
    def tables(self) -> Path:
        return self.out / "tables"

    def section_table(self, section: str) -> Path:
        return self.tables / f"section{section[1:]}.csv"

    @property
    def tidy_cells(self) -> Path:
        return self.tables / "cells.csv"

    @property
    def report_html(self) -> Path:
        return self.out / "report.html"

    @property
    def report_md(self) -> Path:
        return self.out / "report.md"

    @property
    def report_docx(self) -> Path:
        return self.out / "report.docx"

    @property
    def charts_html(self) -> Path:
        """The analysts' charts: per-unit bars and the change from last year."""
        return self.out / "charts.html"

    @property
    def summary_xlsx(self) -> Path:
        """The analysts' workbook: county tables, every unit's cells, findings, register."""
        return self.out / "summary.xlsx"

    @property
    def narrative_findings(self) -> Path:
        return self.out / "narrative_findings.csv"

    @property
    def units_dir(self) -> Path:
        return self.out / "units"

    @property
    def unit_reports(self) -> Path:
        """The register of unit reports written by --all-units: which were written, which not and why."""
        return self.units_dir / "index.csv"

    @property
    def units_narrative_findings(self) -> Path:
        """The findings of every unit report's narrative (written by --all-units)."""
        return self.units_dir / "narrative_findings.csv"

    def unit_dir(self, unit: str) -> Path:
        return self.units_dir / safe_name(unit)

    def unit_report_html(self, unit: str) -> Path:
        return self.unit_dir(unit) / "report.html"

    def unit_report_md(self, unit: str) -> Path:
        return self.unit_dir(unit) / "report.md"

    def unit_report_docx(self, unit: str) -> Path:
        return self.unit_dir(unit) / "report.docx"

    def unit_narrative_findings(self, unit: str) -> Path:
        return self.unit_dir(unit) / "narrative_findings.csv"

    # -- what each stage owns, so a stage that runs again clears what came after it -------------
    def products_after(self, stage: str) -> list[Path]:
        order = ["ingest", "validate", "aggregate", "render"]
        owned = {
            "ingest": [self.ingested, self.register],
            "validate": [self.validated, self.issues_csv, self.issues_html, self.feedback],
            "aggregate": [self.aggregated],
            "render": [
                self.tables,
                self.report_html,
                self.report_md,
                self.report_docx,
                self.summary_xlsx,
                self.charts_html,
                self.narrative_findings,
            ],
        }
        return [p for s in order[order.index(stage) :] for p in owned[s]]


MAX_NAME_BYTES = (
    150  # NOTE: a file name holds 255 bytes; room is left for "_问题反馈.xlsx" and the like
)


def safe_name(name: str) -> str:
    """A unit name made safe as one folder or file name: no separators, `..`, control or
    invisible characters, and short enough (a long name keeps a hash of the whole, so two
    long names stay apart)."""
    cleaned = "".join(
        "_" if ch in '\\/:*?"<>|' or unicodedata.category(ch) in _UNSAFE else ch for ch in name
    ).strip(". ")
    encoded = cleaned.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        cleaned = encoded[: MAX_NAME_BYTES - 9].decode("utf-8", "ignore") + "_" + digest
    return cleaned or "_"


_UNSAFE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}  # controls, format marks, lone surrogates…


def readable_name(name: str) -> str:
    """A file name as people read it: bytes that are not UTF-8 (a name from a zip made on Chinese
    Windows is often GBK) read as GB18030, else shown as �."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    parts = []
    for part in name.split("/"):
        raw = os.fsencode(part)
        try:
            parts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                parts.append(raw.decode("gb18030"))
            except UnicodeDecodeError:
                parts.append(raw.decode("utf-8", "replace"))
    return "/".join(parts)


AUDIT_MARK = ".xxgk-audit"  # in every folder `xxgk audit` wrote: only those are ever replaced


@dataclass(frozen=True)
class AuditPaths:
    """Where one audit of published reports writes (`output/audit/`, its own tree beside the
    years'): the folder, and the staging and set-aside copies beside it while it is replaced."""

    out: Path

    @property
    def cells(self) -> Path:
        return self.out / "cells.csv"

    @property
    def issues_csv(self) -> Path:
        return self.out / "issues.csv"

    @property
    def issues_html(self) -> Path:
        return self.out / "issues.html"

    @property
    def reports(self) -> Path:
        return self.out / "reports.csv"

    @property
    def mark(self) -> Path:
        return self.out / AUDIT_MARK

    @property
    def lock(self) -> Path:
        return self.out.parent / f".{self.out.name}.lock"

    def staging(self, pid: int) -> Path:
        return self.out.parent / f".{self.out.name}.staging-{pid}"

    def set_aside(self, pid: int) -> Path:
        return self.out.parent / f".{self.out.name}.old-{pid}"

    def leftovers(self) -> list[Path]:
        """Staging and set-aside copies left by an audit that was killed."""
        if not self.out.parent.is_dir():
            return []
        return sorted(
            p
            for pattern in (f".{self.out.name}.staging-*", f".{self.out.name}.old-*")
            for p in self.out.parent.glob(pattern)
        )
