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

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from pipeline.audit import numbers, split
from pipeline.audit.labelmatch import match_label, squeezed
from pipeline.audit.numbers import Atom
from pipeline.files.document import Document, Grid, Line, finding
from pipeline.format2021 import (
    OLD_FORMAT_LABELS,
    S3,
    S4,
    SECTIONS,
    number_text,
    scale,
)
from pipeline.ingest.values import read_cell
from pipeline.validate.localise import Equation, equations

OTHER_TOTAL = "other_total"  # （六）其他处理 printed as one row: the group's total
OTHER_ROWS = ("other_no_correction", "other_no_fee", "other_other")
OTHER_LABEL = "（六）其他处理"
S3_KEYS = (
    *(r.code for r in S3.rows[:20]),
    OTHER_TOTAL,
    *(r.code for r in S3.rows[20:]),
)
SHOWN_OPTIONS = 6  # splits listed in a message

# -- headings ----------------------------------------------------------------------------------
_NUMERAL = r"(?:表\s*)?[一二三四五六七]\s*[、.．]\s*"


def _spaced(text: str) -> str:
    return r"\s*".join(re.escape(ch) for ch in text)


HEADINGS = {
    "p1": re.compile(_NUMERAL + _spaced("总体情况")),
    "s2": re.compile(_NUMERAL + _spaced("主动公开政府信息情况")),
    "s3": re.compile(_NUMERAL + _spaced("收到和处理政府信息公开申请情况")),
    "s4": re.compile(
        _NUMERAL
        + r"[^。，；\n]{0,14}?"
        + _spaced("行政复议")
        + r"[^。；\n]{0,14}?"
        + _spaced("行政诉讼")
        + r"[^。，；\n]{0,6}?"
        + _spaced("情况")
    ),
    "p5": re.compile(
        _NUMERAL
        + r"[^。，；\n]{0,14}?"
        + _spaced("存在的主要问题")
        + r"(?:\s*及\s*改\s*进\s*情\s*况)?"
    ),
    "p6": re.compile(_NUMERAL + _spaced("其他需要报告的事项")),
}
ORDER = ("p1", "s2", "s3", "s4", "p5", "p6")
# where a table starts when its heading is missing: its own first header text
_ANCHORS = {
    "s2": re.compile(_spaced("第二十条第")),
    "s3": re.compile(_spaced("勾稽关系") + "|" + _spaced("本年新收政府信息公开申请数量")),
    "s4": re.compile(_spaced("复议后起诉") + "|" + _spaced("未经复议直接起诉")),
}


@dataclass(frozen=True)
class Segment:
    """One run of figures and the text written before it (since the previous run)."""

    text: str
    last: str
    runs: tuple[Atom, ...]
    where: str
    label_where: str


@dataclass
class TableReading:
    """What was read from a document's tables: the cells, the findings, what was found."""

    cells: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    found: tuple[str, ...] = ()
    other_single_row: bool = False
    old_format: tuple[str, ...] = ()
    split_rules: frozenset[tuple[str, str]] = frozenset()
    headings: dict[str, str] = field(default_factory=dict)  # section/part → where its heading is


# -- atoms -------------------------------------------------------------------------------------
def atoms(doc: Document) -> list[Atom]:
    """The document's flow as atoms, headings marked (kind `heading`, text the section code)."""
    out: list[Atom] = []
    for block in doc.flow:
        if isinstance(block, Line):
            # NOTE: an empty line ends a row; a line of only a tab is a cell of text copied from
            # a web table whose content wrapped to the next line (`\t` then `0`)
            if not block.text.strip("\r\n"):
                out.append(Atom("break", "", block.where))
            elif not block.text.strip():
                continue
            elif not numbers.is_footer(block.text):
                _append(out, numbers.text_atoms(block.text, block.where))
        else:
            out.extend(_grid_atoms(block))
    return out


def _grid_atoms(grid: Grid) -> list[Atom]:
    out: list[Atom] = []
    for r, row in enumerate(grid.rows):
        seen: set[tuple[int, int]] = set()
        cells = []
        for cell in row:
            if cell.origin in seen or cell.origin[0] < 0 or cell.origin[0] != r:
                continue  # NOTE: a merged cell is read once, where it starts
            seen.add(cell.origin)
            cells.append(numbers.cell_atoms(cell.text, cell.where))
        last_text = max(
            (i for i, a in enumerate(cells) if any(x.kind == "text" for x in a)), default=-1
        )
        row_atoms: list[Atom] = []
        for i, cell_atoms in enumerate(cells):
            blank = len(cell_atoms) == 1 and cell_atoms[0].tokens == ("",)
            if blank and i < last_text:
                continue  # an empty label cell, not a blank figure
            row_atoms.extend(cell_atoms)
        _append(out, row_atoms)
        out.append(Atom("break", "", f"{grid.where}:r{r + 1}"))
    return out


def _append(out: list[Atom], new: list[Atom]) -> None:
    """Append atoms, splitting headings out of text and attaching wrapped notes to figures."""
    for atom in new:
        if atom.kind != "text":
            out.append(atom)
            continue
        note = numbers.note_only(atom.text, atom.written[0] if atom.written else "")
        if note and out and out[-1].kind == "run" and not out[-1].note:
            prev = out[-1]
            out[-1] = Atom("run", prev.text, prev.where, prev.tokens, prev.cell, note, prev.written)
            continue
        out.extend(_headings_split(atom))


def _headings_split(atom: Atom) -> list[Atom]:
    text = atom.text
    hits = sorted(
        (m.start(), m.end(), code) for code, rx in HEADINGS.items() for m in rx.finditer(text)
    )
    if not hits:
        return [atom]
    out, pos = [], 0
    for start, end, code in hits:
        if start < pos:
            continue
        if start > pos:
            out.append(Atom("text", text[pos:start], atom.where))
        out.append(Atom("heading", code, atom.where))
        pos = end
    if pos < len(text):
        out.append(Atom("text", text[pos:], atom.where))
    return out


# -- regions -----------------------------------------------------------------------------------
def regions(items: Sequence[Atom]) -> tuple[dict[str, tuple[int, int]], dict[str, str]]:
    """Each table's span of atoms (start, end), and where each heading found stands."""
    found: dict[str, int] = {}
    for i, atom in enumerate(items):
        if atom.kind == "heading" and atom.text not in found:
            after = max(
                (found[c] for c in found if ORDER.index(c) < ORDER.index(atom.text)), default=-1
            )
            if i > after:
                found[atom.text] = i
    where = {code: items[i].where for code, i in found.items()}
    for code, rx in _ANCHORS.items():
        if code in found:
            continue
        before = max((found[c] for c in found if ORDER.index(c) < ORDER.index(code)), default=-1)
        for i in range(before + 1, len(items)):
            if items[i].kind == "text" and rx.search(items[i].text):
                found[code] = i - 1
                break
    spans = {}
    for code in ("s2", "s3", "s4"):
        if code not in found:
            continue
        start = found[code] + 1
        later = [i for c, i in found.items() if i > found[code]]
        spans[code] = (start, min(later, default=len(items)))
    return spans, where


def segments(items: Sequence[Atom]) -> list[Segment]:
    """The runs of figures of a span of atoms, each with the text written before it."""
    out: list[Segment] = []
    texts: list[Atom] = []
    runs: list[Atom] = []

    def close() -> None:
        if runs:
            out.append(
                Segment(
                    "".join(a.text for a in texts),
                    texts[-1].text if texts else "",
                    tuple(runs),
                    runs[0].where,
                    texts[-1].where if texts else runs[0].where,
                )
            )
            texts.clear()
            runs.clear()

    for atom in items:
        if atom.kind == "run":
            runs.append(atom)
            continue
        close()
        if atom.kind == "text":
            texts.append(atom)
    close()
    return out


# -- placing rows ------------------------------------------------------------------------------
@cache
def _labels(code: str) -> tuple[tuple[str, str], ...]:
    section = SECTIONS[code]
    labels = tuple((r.code, r.label) for r in section.rows if r.label)
    if code == "s3":
        labels += ((OTHER_TOTAL, OTHER_LABEL),)
    return labels


def _keys(code: str) -> tuple[str, ...]:
    return S3_KEYS if code == "s3" else tuple(r.code for r in SECTIONS[code].rows)


def _blank_only(seg: Segment) -> bool:
    return all(t == "" for a in seg.runs for t in a.tokens)


def placed(code: str, segs: list[Segment]) -> tuple[dict[str, Segment], list[Segment]]:
    """Each row's segment (by row code) and the segments that could not be placed."""
    keys = _keys(code)
    order = {k: i for i, k in enumerate(keys)}
    matches = [match_label(s.text, s.last, _labels(code)) for s in segs]
    fixed: dict[int, str] = {}
    last = -1
    unplaced: list[Segment] = []
    for i, m in enumerate(matches):
        if m and m.how in ("exact", "fuzzy"):
            key = m.keys[0]
            # NOTE: 表二's blocks are independent and extraction may reorder them (a block's
            # header printed after the others); 表三's rows only ever come in order
            if order[key] > last or (
                code == "s2" and m.how == "exact" and key not in fixed.values()
            ):
                fixed[i] = key
                last = max(last, order[key])
    taken = set(fixed.values())
    single = OTHER_TOTAL in taken and not taken.intersection(OTHER_ROWS)
    skip = set(OTHER_ROWS) if single else {OTHER_TOTAL}
    rows: dict[str, Segment] = {fixed[i]: segs[i] for i in fixed}
    bounds = [-1, *sorted(fixed), len(segs)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        loose = [i for i in range(a + 1, b) if not (_blank_only(segs[i]) and matches[i] is None)]
        if not loose:
            continue
        lo = order[fixed[a]] if a >= 0 else -1
        hi = order[fixed[b]] if b < len(segs) else len(keys)
        free = [k for k in keys[lo + 1 : hi] if k not in skip and k not in taken]
        fits = len(loose) == len(free) and all(
            matches[i] is None or k in matches[i].keys for i, k in zip(loose, free, strict=True)
        )
        if fits:
            rows.update({k: segs[i] for i, k in zip(loose, free, strict=True)})
            continue
        for i in loose:
            m = matches[i]
            options = [k for k in free if m is not None and k in m.keys]
            if len(options) == 1 and options[0] not in rows:
                rows[options[0]] = segs[i]
            elif not _blank_only(segs[i]):
                unplaced.append(segs[i])
    return rows, unplaced


# -- reading -----------------------------------------------------------------------------------
def read_tables(doc: Document) -> TableReading:
    """WideTables 二, 三 and 四 of `doc`, cell by cell, with the findings of reading them."""
    out = TableReading()
    text = squeezed(doc.text)
    old = tuple(label for label in OLD_FORMAT_LABELS if squeezed(label) in text)
    if old:
        out.old_format = old
        out.findings.append(finding("file.old_format", file=doc.file, labels="”“".join(old)))
        return out
    items = atoms(doc)
    spans, out.headings = regions(items)
    cells: dict[tuple[str, str, str], dict] = {}
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
                _read_row(code, key, tuple(c.code for c in cols), seg, cells, runs, out)
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


def _read_s4(segs, cells, runs, out: TableReading) -> None:
    """表四's one row: the first run of figures below its header."""
    if not segs:
        return
    _read_row("s4", "cases", tuple(c.code for c in S4.cols), segs[0], cells, runs, out)


def _label(code: str, row: str) -> str:
    if row == OTHER_TOTAL:
        return OTHER_LABEL
    label = SECTIONS[code].row(row).label
    return label or SECTIONS[code].short


def _read_row(code, row, cols, seg: Segment, cells, runs, out: TableReading) -> None:
    """One row's figures: as written when there are as many as its cells, else a run to split."""
    section = SECTIONS[code]
    k = len(cols)
    runs_ = list(seg.runs)
    whole_cells = all(a.cell and len(a.tokens) == 1 for a in runs_)
    if whole_cells:
        # NOTE: blanks at either end of a row (an empty label cell, a trailing empty cell of an
        # extracted table) are not figures when there are more cells than the row has
        while len(runs_) > k and runs_[-1].tokens == ("",):
            runs_.pop()
        while len(runs_) > k and runs_[0].tokens == ("",):
            runs_.pop(0)
        written = [(a.tokens[0], a.text, a.where, a.note) for a in runs_]
    else:
        # NOTE: each token beside its text as written (full-width digits, separators); a run's
        # note belongs to its last token only
        written = [
            (
                t,
                a.written[i] if len(a.written) == len(a.tokens) else t,
                a.where,
                a.note if i == len(a.tokens) - 1 else "",
            )
            for a in runs_
            for i, t in enumerate(a.tokens)
        ]
    if len(written) == k:
        for col, (token, text, where, note) in zip(cols, written, strict=True):
            cells[code, row, col] = _written(code, row, col, token, text, where, note, out)
        return
    tokens = [t for t, *_ in written]
    digits = "".join(tokens)
    # NOTE: only digits of one run in one line ran together; separate lines or cells are
    # separate figures (`0` and `13` on two lines are never split into 0 1 3)
    if not whole_cells and len(runs_) == 1 and digits.isdigit() and len(digits) >= k:
        key = f"{code}:{row}"
        runs.append(split.Run(key, tuple((code, row, c) for c in cols), digits))
        for col in cols:
            cells[code, row, col] = _record(
                code, row, col, None, " ".join(tokens), seg.where, "unread", "audit.cannot_split"
            )
        return
    rule = "audit.row_short" if len(written) < k else "audit.row_long"
    out.findings.append(
        finding(
            rule,
            section=code,
            row=row,
            where=seg.where,
            table=section.short,
            label=_label(code, row),
            expected=k,
            count=len(written),
            texts="、".join(t or "空白" for _, t, *_ in written),
            text=" ".join(t for _, t, *_ in written),
        )
    )
    for col in cols:
        cells[code, row, col] = _record(code, row, col, None, "", seg.where, "unread", rule)


def _record(code, row, col, value, text, where, read_as, problem="") -> dict:
    return {
        "section": code,
        "row": row,
        "col": col,
        "value": value,
        "text": text,
        "where": where,
        "read_as": read_as,
        "problem": problem,
    }


def _written(code, row, col, token, text, where, note, out: TableReading) -> dict:
    """A figure as written, read under the project's policy for a cell (docs/values.md)."""
    reading = read_cell(token, scale(code, col) if row != OTHER_TOTAL else 0)
    if reading.value is None:
        out.findings.append(
            finding(
                "audit.value_unreadable",
                section=code,
                row=row,
                col=col,
                where=where,
                table=SECTIONS[code].short,
                label=cell_label(code, row, col),
                text=text,
                reason=reading.problem,
            )
        )
        return _record(code, row, col, None, text, where, "unread", "audit.value_unreadable")
    # NOTE: kept as written: a grid cell's whole text (its note in it), a token of a line of
    # text with the note written after it
    shown = text.strip() or token
    if note and note not in shown:
        shown += note
    if note:
        out.findings.append(
            finding(
                "audit.note_in_cell",
                section=code,
                row=row,
                col=col,
                where=where,
                table=SECTIONS[code].short,
                label=cell_label(code, row, col),
                text=shown,
                value=number_text(reading.value, code, col),
                note=note,
            )
        )
    read_as = {"number": "written", "blank": "blank", "nil": "nil"}[reading.read_as]
    return _record(code, row, col, reading.value, shown, where, read_as)


def cell_label(code: str, row: str, col: str) -> str:
    """A cell's row and column labels as messages name them (`（二）部分公开…·自然人`)."""
    section = SECTIONS[code]
    c = section.col(col)
    r = _label(code, row) if row == OTHER_TOTAL or section.row(row).label else ""
    head = "·".join(c.labels) if code == "s4" else c.label
    return f"{r}·{head}" if r else head


# -- splitting ---------------------------------------------------------------------------------
def published_equations(other_single_row: bool) -> tuple[Equation, ...]:
    """The format's sum rules as they apply to the table found: with （六）其他处理 printed as one
    row, its total stands for its three sub-rows in the （七）总计 rule and has a 总计 of its own."""
    eqs = equations()
    if not other_single_row:
        return eqs
    out = []
    for e in eqs:
        if e.rule == "s3.row_total" and e.key in OTHER_ROWS:
            continue
        if e.rule == "s3.outcome_total":
            col = e.key
            terms = tuple(t for t in e.terms if t[0][1] not in OTHER_ROWS)
            terms += ((("s3", OTHER_TOTAL, col), -1),)
            e = Equation(e.rule, e.key, terms, e.total)
        out.append(e)
    total = ("s3", OTHER_TOTAL, "total")
    parts = tuple((("s3", OTHER_TOTAL, p.code), -1) for p in S3.cols if p.code != "total")
    out.append(Equation("s3.row_total", OTHER_TOTAL, ((total, 1), *parts), total))
    return tuple(out)


def _split(cells: dict, runs: list[split.Run], out: TableReading) -> None:
    if not runs:
        return
    known = {
        key: rec["value"]
        for key, rec in cells.items()
        if rec["read_as"] in ("written", "blank", "nil") and key[2] != "amount"
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
            "label": _label(code, row),
            "digits": run.digits,
            "text": run.digits,
        }
        if outcome.status == "split":
            for cell, value in zip(run.cells, outcome.values, strict=True):
                cells[cell] = _record(*cell, value, str(value), where, "split")
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


def _complete(doc: Document, cells: dict, out: TableReading) -> None:
    """Every cell of each table found is in the result: a missing row is a finding, its cells
    unread; with （六）其他处理 as one row, its three sub-rows are unknown."""
    if not out.found:
        out.findings.append(finding("file.no_tables", file=doc.file))
        return
    for code in ("s2", "s3", "s4"):
        section = SECTIONS[code]
        if code not in out.found:
            out.findings.append(
                finding(
                    "file.table_missing", file=doc.file, section=code, table=section.short, unit=""
                )
            )
            continue
        missing_rows = []
        for row in section.rows:
            for col in section.cols_of(row):
                if (code, row.code, col.code) in cells:
                    continue
                if out.other_single_row and row.code in OTHER_ROWS:
                    cells[code, row.code, col.code] = _record(
                        code, row.code, col.code, None, "", "", "unread", "audit.other_single_row"
                    )
                    continue
                cells[code, row.code, col.code] = _record(
                    code, row.code, col.code, None, "", "", "unread", "file.cell_missing"
                )
                if row.code not in missing_rows:
                    missing_rows.append(row.code)
        for row in missing_rows:
            out.findings.append(
                finding(
                    "file.cell_missing",
                    file=doc.file,
                    section=code,
                    row=row,
                    table=section.short,
                    label=section.row(row).label or section.short,
                    unit="",
                )
            )
    if out.other_single_row:
        values = [cells.get(("s3", OTHER_TOTAL, c.code), {}).get("value") for c in S3.cols]
        where = cells.get(("s3", OTHER_TOTAL, "total"), {}).get("where", "")
        out.findings.append(
            finding(
                "audit.other_single_row",
                section="s3",
                row=OTHER_TOTAL,
                where=where,
                values=" ".join("?" if v is None else str(v) for v in values),
            )
        )
