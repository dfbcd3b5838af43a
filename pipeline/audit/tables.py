"""WideTables 二, 三 and 四 recognised cell by cell in a read document, by their labels.

The document's flow (lines and grids in reading order) becomes a sequence of atoms: text, runs
of figures, and breaks (a grid row's end, a blank line). The part headings (二、主动公开政府信息情况
…, numbered 一、二、三 as well) bound each table's region. Inside a region, each run of figures is a
row's figures, and the text written since the previous run names the row (`labelmatch`). Rows
come in the format's order, so a run whose label is lost or torn (a label split across a page
break, header fragments between rows) is placed only when the rows found before and after it
leave exactly as many rows free as there are such runs.

A row's figures are read as written when there are as many as its cells; a run of digits in text
that has fewer is split by the format's sums (`split`). Nothing is ever guessed: a row that
cannot be read exactly is a finding at its place and its cells stay unread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.audit import split
from pipeline.audit.cells import CellRecord, read_row, record
from pipeline.audit.flow import atoms
from pipeline.audit.labelmatch import squeezed
from pipeline.audit.layout import OTHER_ROWS, OTHER_TOTAL, published_equations, row_label
from pipeline.audit.rows import Segment, placed, regions, segments
from pipeline.files.document import Document, finding
from pipeline.format2021 import OLD_FORMAT_LABELS, S3, S4, SECTIONS
from pipeline.validate.localise import Cell

SHOWN_OPTIONS = 6  # splits listed in a message


@dataclass
class TableReading:
    """What was read from a document's tables: the cells, the findings, what was found."""

    cells: list[CellRecord] = field(default_factory=list)
    findings: list[dict[str, object]] = field(default_factory=list)
    found: tuple[str, ...] = ()
    other_single_row: bool = False
    old_format: tuple[str, ...] = ()
    split_rules: frozenset[tuple[str, str]] = frozenset()
    headings: dict[str, str] = field(default_factory=dict)  # section/part → where its heading is


def read_tables(doc: Document) -> TableReading:
    """WideTables 二, 三 and 四 of `doc`, cell by cell, with the findings of reading them."""
    out = TableReading()
    text = squeezed(doc.text)
    old = tuple(label for label in OLD_FORMAT_LABELS if squeezed(label) in text)
    if old:
        out.old_format = old  # NOTE: said by the reader, which knows the report's year
        return out
    items = atoms(doc)
    spans, out.headings = regions(items)
    cells: dict[Cell, CellRecord] = {}
    runs: list[split.Run] = []
    for code in ("s2", "s3", "s4"):
        if code not in spans:
            continue
        segs = segments(items[slice(*spans[code])])
        if code == "s4":
            _read_s4(segs, cells, runs, out)
        else:
            rows, unplaced = placed(code, segs)
            if code == "s3" and OTHER_TOTAL in rows:
                out.other_single_row = True
            section = SECTIONS[code]
            for key, seg in rows.items():
                cols = S3.cols if key == OTHER_TOTAL else section.cols_of(section.row(key))
                read_row(code, key, tuple(c.code for c in cols), seg, cells, runs, out.findings)
            for seg in unplaced:
                out.findings.append(
                    finding(
                        "audit.row_unplaced",
                        file=doc.file,
                        section=code,
                        where=seg.where,
                        table=section.short,
                        texts="、".join((a.text.strip() or "空白") + a.note for a in seg.runs),
                    )
                )
        if any(k[0] == code for k in cells):
            out.found += (code,)
    _split(cells, runs, out)
    _complete(doc, cells, out)
    out.cells = list(cells.values())
    return out


def _read_s4(
    segs: list[Segment], cells: dict[Cell, CellRecord], runs: list[split.Run], out: TableReading
) -> None:
    """表四's one row: the first run of figures below its header."""
    if not segs:
        return
    read_row("s4", "cases", tuple(c.code for c in S4.cols), segs[0], cells, runs, out.findings)


# -- splitting ---------------------------------------------------------------------------------
def _split(cells: dict[Cell, CellRecord], runs: list[split.Run], out: TableReading) -> None:
    """The runs of digits split by the sums: each run's cells read, or a finding saying why not;
    a note of the rules used for each table split."""
    if not runs:
        return
    # NOTE: a cell read as written, blank or nil always has its value
    known = {
        key: value
        for key, rec in cells.items()
        if rec["read_as"] in ("written", "blank", "nil")
        and key[2] != "amount"
        and (value := rec["value"]) is not None
    }
    result = split.splits(runs, known, published_equations(out.other_single_row))
    used_by_table: dict[str, list[str]] = {}
    for outcome in result.outcomes.values():
        run = outcome.run
        code, row = run.cells[0][0], run.cells[0][1]
        where = cells[run.cells[0]]["where"]
        common = {
            "section": code,
            "row": row,
            "where": where,
            "table": SECTIONS[code].short,
            "label": row_label(code, row),
            "digits": run.digits,
            "text": run.digits,
        }
        if outcome.status == "split":
            for cell, value in zip(run.cells, outcome.values, strict=True):
                cells[cell] = record(*cell, value, str(value), where, "split")
            used_by_table.setdefault(code, []).append(where)
            continue
        rule = {
            "ambiguous": "audit.split_ambiguous",
            "impossible": "audit.cannot_split",
            "capped": "audit.split_capped",
        }[outcome.status]
        for cell in run.cells:
            cells[cell] = {**cells[cell], "problem": rule}
        options = " / ".join(" ".join(map(str, o)) for o in outcome.options[:SHOWN_OPTIONS])
        if len(outcome.options) > SHOWN_OPTIONS:
            options += f" 等（共{len(outcome.options)}种）"
        reason = outcome.reason
        if outcome.status == "impossible" and outcome.options:
            reason += f"（按本行合计可拆为：{options}）"
        out.findings.append(
            finding(
                rule,
                **common,
                count=len(outcome.options),
                options=options,
                reason=reason,
                limit=outcome.reason,
            )
        )
    out.split_rules = result.used
    names = {
        "s3.row_total": "各行总计",
        "s3.outcome_total": "各列（七）总计",
        "s3.balance": "各列勾稽关系",
        "s4.group_total": "表四各组总计",
    }
    for code, wheres in used_by_table.items():
        rules = "、".join(
            dict.fromkeys(names[r] for r, _ in sorted(result.used) if r.startswith(code))
        )
        count = sum(1 for k, rec in cells.items() if k[0] == code and rec["read_as"] == "split")
        out.findings.append(
            finding(
                "audit.split_used_rules",
                section=code,
                where=wheres[0],
                table=SECTIONS[code].short,
                count=count,
                rules=rules if code != "s2" else "数字位数（表二没有合计，只有唯一拆分时读取）",
            )
        )


def _complete(doc: Document, cells: dict[Cell, CellRecord], out: TableReading) -> None:
    """Every cell of each table found is in the result: a missing row is a finding, its cells
    unread; with （六）其他处理 as one row, its three sub-rows are unknown."""
    if not out.found:
        out.findings.append(finding("audit.no_tables", file=doc.file))
        return
    for code in ("s2", "s3", "s4"):
        section = SECTIONS[code]
        if code not in out.found:
            out.findings.append(
                finding(
                    "audit.table_missing", file=doc.file, section=code, table=section.short, unit=""
                )
            )
            continue
        missing_rows: list[str] = []
        for row in section.rows:
            for col in section.cols_of(row):
                if (code, row.code, col.code) in cells:
                    continue
                if out.other_single_row and row.code in OTHER_ROWS:
                    cells[code, row.code, col.code] = record(
                        code, row.code, col.code, None, "", "", "unread", "audit.other_single_row"
                    )
                    continue
                cells[code, row.code, col.code] = record(
                    code, row.code, col.code, None, "", "", "unread", "audit.row_missing"
                )
                if row.code not in missing_rows:
                    missing_rows.append(row.code)
        for missing in missing_rows:
            out.findings.append(
                finding(
                    "audit.row_missing",
                    file=doc.file,
                    section=code,
                    row=missing,
                    table=section.short,
                    label=section.row(missing).label or section.short,
                    unit="",
                )
            )
    if out.other_single_row:
        row_cells = [cells.get(("s3", OTHER_TOTAL, c.code)) for c in S3.cols]
        values = [None if rec is None else rec["value"] for rec in row_cells]
        total = cells.get(("s3", OTHER_TOTAL, "total"))
        where = "" if total is None else total["where"]
        out.findings.append(
            finding(
                "audit.other_single_row",
                section="s3",
                row=OTHER_TOTAL,
                where=where,
                values=" ".join("?" if v is None else str(v) for v in values),
            )
        )
