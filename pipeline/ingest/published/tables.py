"""Tables 二, 三 and 四 recognised cell by cell in a read document, by their labels.

The document's flow (lines and grids in reading order) becomes a sequence of atoms: text, runs
of figures, and breaks (a grid row's end, a blank line). The part headings (二、主动公开政府信息情况
…, numbered 一、二、三 as well) bound each table's region. Inside a region, each run of figures is a
row's figures, placed at a row only when exactly one label claims it (`rows`). Runs whose label
is lost, torn or out of step are placed when the rows left free admit exactly one placement of
them: by the pieces of labels they carry, by elimination, by the format's sums
(`placed_by_sums`) or by a sentence of the report's text naming one of their cells
(`placed_by_text`). Header numbering is never a row; what cannot be placed stays unread.

A row's figures are read as written when there are as many as its cells; a run of digits in text
that has fewer is split by the format's sums (`split`), or, when several splits fit the sums, by
a sentence of the text (`split_by_text`). Nothing is ever guessed: a row that cannot be read
exactly is a finding at its place and its cells stay unread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.files.document import Document, finding
from pipeline.format2021 import S3, S4, SECTIONS, Col, scale
from pipeline.ingest.published import rows as rows_
from pipeline.ingest.published import split
from pipeline.ingest.published.cells import CellRecord, figures_of, fits, read_row, record
from pipeline.ingest.published.flow import atoms
from pipeline.ingest.published.layout import OTHER_ROWS, OTHER_TOTAL, published_equations, row_label
from pipeline.ingest.published.narrative import Candidates, Statement, chosen_by_text
from pipeline.ingest.published.rows import Segment, plan, regions, segments
from pipeline.ingest.values import read_cell
from pipeline.ingest.vocabulary import flat, old_format_labels
from pipeline.validate.localise import Cell, Equation

SHOWN_OPTIONS = 6  # splits listed in a message
OpenSplit = tuple[tuple[Cell, ...], tuple[tuple[int, ...], ...], str, str]
RULE_NAMES = {
    "s3.row_total": "各行总计",
    "s3.outcome_total": "各列（七）总计",
    "s3.balance": "各列勾稽关系",
    "s4.group_total": "表四各组总计",
}
ROW_RULE_NAMES = {
    "s3.row_total": "本行总计",
    "s3.outcome_total": "各列（七）总计",
    "s3.balance": "各列勾稽关系",
    "s4.group_total": "表四各组总计",
}


@dataclass
class TableReading:
    """What was read from a document's tables: the cells, the findings, what was found."""

    cells: list[CellRecord] = field(default_factory=list)
    findings: list[dict[str, object]] = field(default_factory=list)
    found: tuple[str, ...] = ()
    other_single_row: bool = False
    old_format: tuple[str, ...] = ()
    # the sum rules used to split figures or to place rows: not evidence that they hold
    split_rules: frozenset[tuple[str, str]] = frozenset()
    headings: dict[str, str] = field(default_factory=dict)  # section/part → where its heading is
    # the figures an unread cell may hold (splits or placements the sums leave open)
    candidates: dict[Cell, Candidates] = field(default_factory=dict)
    # the runs of digits left unread with several splits: (cells, the splits, digits, where)
    open_splits: list[OpenSplit] = field(default_factory=list)


def read_tables(doc: Document, said: Sequence[Statement] = ()) -> TableReading:
    """Tables 二, 三 and 四 of `doc`, cell by cell, with the findings of reading them; `said` are
    the sentences of its text that restate a figure (evidence where the tables leave a choice)."""
    out = TableReading()
    old = old_format_labels(flat(doc.text))
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
        width = max(len(SECTIONS[code].cols_of(r)) for r in SECTIONS[code].rows)
        segs, tail = segments(items[slice(*spans[code])], width)
        if code == "s4":
            _read_s4(segs, cells, runs, out)
        else:
            _read_rows(doc, code, segs, tail, cells, runs, out, said)
        if any(k[0] == code for k in cells):
            out.found += (code,)
    _split(cells, runs, out, said)
    _complete(doc, cells, out)
    out.cells = list(cells.values())
    return out


def _cols(code: str, row: str) -> tuple[Col, ...]:
    """The columns of a row of table `code` (（六）'s one-row total has 表三's)."""
    section = SECTIONS[code]
    return S3.cols if row == OTHER_TOTAL else section.cols_of(section.row(row))


def _read_s4(
    segs: list[Segment], cells: dict[Cell, CellRecord], runs: list[split.Run], out: TableReading
) -> None:
    """表四's one row: the first run of figures below its header (its numbering is no row)."""
    claims = [rows_.NONE] * len(segs)
    numbering = rows_.header_numbering("s4", segs, claims)
    rest = [s for i, s in enumerate(segs) if i not in numbering]
    if not rest:
        return
    read_row("s4", "cases", tuple(c.code for c in S4.cols), rest[0], cells, runs, out.findings)


def _read_rows(
    doc: Document,
    code: str,
    segs: list[Segment],
    tail: str,
    cells: dict[Cell, CellRecord],
    runs: list[split.Run],
    out: TableReading,
    said: Sequence[Statement],
) -> None:
    """Table `code`'s rows (表二, 表三): each placed by its one label, or among the loose runs."""
    section = SECTIONS[code]
    found = plan(code, segs, tail, lambda seg, row: fits(seg, len(_cols(code, row))))
    if code == "s3" and found.single:
        out.other_single_row = True
    for key, seg in found.fixed.items():
        cols = tuple(c.code for c in _cols(code, key))
        read_row(code, key, cols, seg, cells, runs, out.findings)
    placed, left = _place_loose(code, found, cells, out, said)
    for key, (seg, how, evidence) in placed.items():
        cols = tuple(c.code for c in _cols(code, key))
        read_row(code, key, cols, seg, cells, runs, out.findings, placed_as=how)
        if evidence:
            for col in cols:
                cells[code, key, col] = {**cells[code, key, col], "evidence": evidence}
    for seg in [*found.unplaced, *left]:
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


# -- the loose runs ------------------------------------------------------------------------------
def _row_values(code: str, row: str, seg: Segment) -> dict[Cell, int] | None:
    """A run's figures as the cells of `row` they would be, or None when they are no figures as
    written (digits to split, a figure that does not read)."""
    cols = _cols(code, row)
    written, _glued = figures_of(seg, len(cols))
    if len(written) != len(cols):
        return None
    out = {}
    for col, (token, *_rest) in zip(cols, written, strict=True):
        value = read_cell(token, scale(code, col.code) if row != OTHER_TOTAL else 0).value
        if value is None:
            return None
        out[code, row, col.code] = value
    return out


def _known(cells: Mapping[Cell, CellRecord]) -> dict[Cell, int]:
    """The figures read as written (blank and nil read as 0 too), by cell: what the sums stand on."""
    return {
        key: value
        for key, rec in cells.items()
        if rec["read_as"] in ("written", "blank", "nil")
        and key[2] != "amount"
        and (value := rec["value"]) is not None
    }


def _place_loose(
    code: str,
    found: rows_.Plan,
    cells: dict[Cell, CellRecord],
    out: TableReading,
    said: Sequence[Statement],
) -> tuple[dict[str, tuple[Segment, str, str]], list[Segment]]:
    """The loose runs placed where exactly one placement of them all is possible (by elimination;
    else by the sums; else by a sentence of the text), by row with their `read_as`; or left."""
    loose = found.loose
    if not loose:
        return {}, []
    segs = [item.seg for item in loose]
    ways = rows_.assignments(loose, rows_.row_keys(code))
    if not ways:
        return {}, segs
    readings = {
        frozenset((row, loose[i].seg.tokens) for i, row in way.items()): way for way in ways
    }
    if len(readings) == 1:
        return {row: (loose[i].seg, "", "") for i, row in ways[0].items()}, []
    options: list[tuple[dict[int, str], dict[Cell, int], tuple[Equation, ...]]] = []
    known = _known(cells)
    equations = [
        e
        for e in published_equations(found.single)
        if e.total[0] == code and len({c[1] for c in e.cells}) > 1
    ]
    for way in readings.values():
        values: dict[Cell, int] = {}
        for i, row in way.items():
            got = _row_values(code, row, loose[i].seg)
            if got is None:
                return {}, segs  # NOTE: digits to split are placed only by a label
            values.update(got)
        both = {**known, **values}
        judged = tuple(
            e for e in equations if e.cells <= both.keys() and not e.cells.isdisjoint(values)
        )
        if all(e.residual(both) == 0 for e in judged):
            options.append((way, values, judged))
    if len(options) == 1:
        way, _values, judged = options[0]
        out.split_rules |= {(e.rule, e.key) for e in judged}
        out.findings.append(
            finding(
                "audit.placed_by_sums",
                section=code,
                where=loose[min(way)].seg.where,
                table=SECTIONS[code].short,
                count=len(way),
                wheres="、".join(loose[i].seg.where for i in sorted(way)),
                rows="、".join(f"“{row_label(code, row)}”" for _i, row in sorted(way.items())),
                rules="、".join(dict.fromkeys(RULE_NAMES[e.rule] for e in judged)) or "合计",
            )
        )
        return {row: (loose[i].seg, "placed_by_sums", "") for i, row in way.items()}, []
    if not options:
        return {}, segs
    choice = chosen_by_text([values for _w, values, _j in options], said)
    if choice.chosen is not None:
        way, values, judged = options[choice.chosen]
        out.split_rules |= {(e.rule, e.key) for e in judged}
        evidence = _evidence(choice.evidence)
        for i, row in sorted(way.items()):
            out.findings.append(
                _by_text(
                    code, row, loose[i].seg.where, "找不到行标签", len(options), choice.evidence
                )
            )
        return {row: (loose[i].seg, "placed_by_text", evidence) for i, row in way.items()}, []
    # NOTE: what an unread cell may hold, where every placement the sums admit gives it a figure
    shared = set.intersection(*(set(values) for _w, values, _j in options))
    for cell in shared:
        out.candidates[cell] = Candidates(
            tuple(sorted({values[cell] for _w, values, _j in options})),
            "行标签缺失的几行数字各种可能的对应给出的",
        )
    return {}, segs


def _evidence(said: Sequence[Statement]) -> str:
    """Where the sentences that decided a reading stand (`l4`, `l10:ch2119`)."""
    return "、".join(dict.fromkeys(s.where for s in said))


def _by_text(
    code: str, row: str, where: str, why: str, count: int, said: Sequence[Statement]
) -> dict[str, object]:
    """The note that a row was read by the sentences `said` of the report's text."""
    return finding(
        "audit.read_by_text",
        section=code,
        row=row,
        where=where,
        table=SECTIONS[code].short,
        label=row_label(code, row),
        why=why,
        count=count,
        evidence=_evidence(said),
        sentences="”“".join(s.text for s in said),
    )


# -- splitting ---------------------------------------------------------------------------------
def _split(
    cells: dict[Cell, CellRecord],
    runs: list[split.Run],
    out: TableReading,
    said: Sequence[Statement],
) -> None:
    """The runs of digits split by the sums (and, where the sums leave several splits, by a
    sentence of the text): each run's cells read, or a finding saying why not; a note of the
    rules used for each table split."""
    if not runs:
        return
    # NOTE: a cell read as written, blank or nil always has its value
    known = _known(cells)
    equations = published_equations(out.other_single_row)
    pending = list(runs)
    used: set[tuple[str, str]] = set()
    while True:
        result = split.splits(pending, known, equations)
        used |= result.used
        chosen = False
        for key, outcome in result.outcomes.items():
            if outcome.status != "ambiguous":
                continue
            run = outcome.run
            readings = [dict(zip(run.cells, o, strict=True)) for o in outcome.options]
            choice = chosen_by_text(readings, said)
            if choice.chosen is None:
                continue
            where = cells[run.cells[0]]["where"]
            values = outcome.options[choice.chosen]
            for cell, value in zip(run.cells, values, strict=True):
                cells[cell] = {
                    **record(*cell, value, str(value), where, "split_by_text"),
                    "evidence": _evidence(choice.evidence),
                }
                known[cell] = value
            code, row = run.cells[0][0], run.cells[0][1]
            why = f"连在一起（“{run.digits}”）"
            out.findings.append(
                _by_text(code, row, where, why, len(outcome.options), choice.evidence)
            )
            pending = [r for r in pending if r.key != key]
            chosen = True
            break  # NOTE: the sums split the others again with this row known
        if not chosen:
            break
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
            "impossible": "audit.split_breaks_sums" if outcome.broken else "audit.cannot_split",
            "capped": "audit.split_capped",
        }[outcome.status]
        for cell in run.cells:
            cells[cell] = {**cells[cell], "problem": rule}
        options = " / ".join(" ".join(map(str, o)) for o in outcome.options[:SHOWN_OPTIONS])
        if len(outcome.options) > SHOWN_OPTIONS:
            options += f" 等（共{len(outcome.options)}种）"
        if outcome.status == "ambiguous":
            out.open_splits.append((run.cells, outcome.options, run.digits, where))
            for j, cell in enumerate(run.cells):
                out.candidates[cell] = Candidates(
                    tuple(sorted({o[j] for o in outcome.options})), f"“{run.digits}”拆分后的"
                )
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
                rules="、".join(dict.fromkeys(ROW_RULE_NAMES[r] for r, _ in outcome.broken)),
            )
        )
    out.split_rules |= used
    for code, wheres in used_by_table.items():
        rules = "、".join(
            dict.fromkeys(
                RULE_NAMES[r] for r, _ in sorted(result.used | used) if r.startswith(code)
            )
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
