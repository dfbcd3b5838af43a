"""Each body's own (本机关) report, from its return alone: written when its return and its narrative have no errors, else why not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import render as rnd
from pipeline import store
from pipeline.inputs import CannotStart, full_name, read_config, read_template, read_units
from pipeline.paths import Paths
from pipeline.problems import finding, findings_table, severity_counts
from pipeline.render import word
from pipeline.render.supplied import supplied_figures
from pipeline.run.checks import _needs
from pipeline.run.products import Ingested, Validated, read_ingested, read_validated, received_units
from pipeline.run.stages import StageResult, findings_so_far, undated, write_issues
from pipeline.validate import has_errors
from pipeline.validate.narrative import narrative_findings


def unit_stage(paths: Paths, ingested: Ingested, found: Validated, unit: str) -> StageResult:
    """Write one body's own (本机关) report from its return, if the return has no errors."""
    inputs = _unit_inputs(ingested, found)
    if unit not in inputs.received:
        known = sorted(inputs.received)
        hint = (
            ""
            if unit in set(inputs.returns["unit"])
            else f"（已收到报表的单位：{'、'.join(known[:8])}等）"
        )
        raise CannotStart(f"没有“{unit}”可用的报表{hint}")
    outcome = unit_report(paths, inputs, unit)
    checked = _unit_narrative_findings(paths, [outcome])
    written = [*outcome.written, *_write_findings(paths, checked)]
    return StageResult(
        "render",
        {
            "reports": int(not outcome.blocked),
            **severity_counts(findings_table(list(outcome.findings))),
        },
        written,
        blocked=outcome.blocked,
        message=outcome.message,
        findings=checked,
    )


def units_stage(paths: Paths, ingested: Ingested, found: Validated) -> StageResult:
    """Write every received unit's own report; a unit whose return or narrative has errors gets none."""
    inputs = _unit_inputs(ingested, found)
    outcomes = [unit_report(paths, inputs, unit) for unit in _register_order(inputs)]
    written = [p for o in outcomes for p in o.written]
    written.append(store.write_csv(unit_reports_table(outcomes), paths.unit_reports))
    checked = _unit_narrative_findings(paths, outcomes)
    written += _write_findings(paths, checked)
    blocked = [o for o in outcomes if o.blocked]
    counts = severity_counts(findings_table([f for o in outcomes for f in o.findings]))
    return StageResult(
        "render",
        {"reports": len(outcomes) - len(blocked), "blocked": len(blocked), **counts},
        written,
        blocked=bool(blocked),
        message="".join(o.message for o in blocked),
        findings=checked,
    )


def _write_findings(paths: Paths, checked: pd.DataFrame | None) -> list[Path]:
    if checked is None:
        return []
    return [store.write_csv(checked, paths.units_narrative_findings)]


def run_render_unit(paths: Paths, unit: str) -> StageResult:
    """Write one body's own report from the products of the stages before."""
    ingested, found = _inputs_read(paths)
    store.remove([paths.unit_dir(unit)])
    result = unit_stage(paths, ingested, found, unit)
    issues = write_issues(paths, findings_so_far(paths), ingested)
    result.written += issues.written
    result.tally = issues.tally
    return result


def run_render_all_units(paths: Paths) -> StageResult:
    """Write every received unit's own report from the products of the stages before."""
    ingested, found = _inputs_read(paths)
    store.remove([paths.units_dir])
    result = units_stage(paths, ingested, found)
    issues = write_issues(paths, findings_so_far(paths), ingested)
    result.written += issues.written
    result.tally = issues.tally
    return result


def _inputs_read(paths: Paths) -> tuple[Ingested, Validated]:
    _needs(paths.ingested_returns, paths.ingested_cells, paths.validated_findings)
    units = read_units(paths.units) if paths.units.exists() else pd.DataFrame(columns=["name"])
    return read_ingested(paths, units), read_validated(paths)


@dataclass(frozen=True)
class UnitInputs:
    """What unit reports are made from: the ingested cells, the files, the findings, the roster."""

    cells: pd.DataFrame
    returns: pd.DataFrame
    findings: pd.DataFrame
    units: pd.DataFrame | None
    received: dict[str, list[str]]  # unit -> its received return file(s)


def _unit_inputs(ingested: Ingested, found: Validated) -> UnitInputs:
    return UnitInputs(
        cells=ingested.cells,
        returns=ingested.files,
        findings=found.findings,
        units=ingested.units,
        received=received_units(ingested.files),
    )


@dataclass(frozen=True)
class UnitOutcome:
    """What became of one unit's report: written, or why not."""

    unit: str
    status: str  # written | return_errors | fees_unstated | narrative_errors | narrative_template
    errors: int = 0
    message: str = ""
    written: tuple[Path, ...] = ()
    findings: tuple[dict, ...] = ()  # of its narrative (warnings and notes too)
    default_narrative: bool = False  # the built-in narrative was used

    @property
    def blocked(self) -> bool:
        return self.status != "written"


UNIT_STATUS = {
    "written": "已生成",
    "return_errors": "未生成：报表有错误",
    "narrative_errors": "未生成：报告文字有错误",
    "narrative_template": "未生成：报告文字模板有误",
    "fees_unstated": "未生成：未填报信息处理费情况",
}


def unit_reports_table(outcomes: list[UnitOutcome]) -> pd.DataFrame:
    """The register of unit reports: each unit, whether its report was written, and why not."""
    return pd.DataFrame(
        [
            {
                "unit": o.unit,
                "status": o.status,
                "状态": UNIT_STATUS[o.status],
                "errors": o.errors,
                "message": o.message,
            }
            for o in outcomes
        ],
        columns=["unit", "status", "状态", "errors", "message"],
    )


def _unit_narrative_findings(paths: Paths, outcomes: list[UnitOutcome]) -> pd.DataFrame | None:
    """The units' narrative findings, with one note naming the units whose report used the
    built-in narrative (None when there are none)."""
    records = [f for o in outcomes for f in o.findings]
    defaults = [o.unit for o in outcomes if o.default_narrative]
    if defaults:
        names = "、".join(defaults[:10]) + (
            f"等{len(defaults)}个单位" if len(defaults) > 10 else ""
        )
        folder = paths.raw / "narratives"
        records.append(finding("narrative.default_units", units=names, folder=folder))
    return findings_table(records) if records else None


def unit_report(paths: Paths, inputs: UnitInputs, unit: str) -> UnitOutcome:
    """Write `unit`'s own report (HTML, Markdown, Word) unless its return or narrative has errors."""
    findings = inputs.findings
    concerning = (findings["unit"] == unit) & (findings["severity"] == "error")
    mine = inputs.received.get(unit)
    if mine:
        # NOTE: a stray file of the unit's (last year's, say) does not hold back the report of
        # the return that was received; problems of the unit as a whole (no file) still do
        concerning &= findings["file"].isin(mine) | (findings["file"] == "")
    errors = findings[concerning]
    if len(errors):
        message = f"{unit}的报表有{len(errors)}个错误，未生成本机关报告。"
        return UnitOutcome(unit, "return_errors", len(errors), message)
    unstated = (findings["unit"] == unit) & (findings["rule"] == "s6.unreported")
    if unstated.any():
        # NOTE: a body's own report must state its fees (part 六): the county can sum without
        # them, its report cannot be written without them
        message = f"{unit}的报表未填报信息处理费情况，本机关报告第六部分须写明，未生成本机关报告。"
        return UnitOutcome(unit, "fees_unstated", 1, message)
    unit_cells = inputs.cells[inputs.cells["file"].isin(inputs.received[unit])]
    values = rnd.values_of(unit_cells)
    config = read_config(paths.config)
    supplied = supplied_figures(paths.unit_supplied(unit), paths.year)
    issuer = full_name(inputs.units, unit, config.get("county", ""))
    context = rnd.narrative_context(
        paths.year,
        "本机关",
        values,
        unit=unit,
        full_name=issuer,
        county=config.get("county", ""),
        kind=_kind_of(inputs.units, unit),
        **supplied.figures,
    )
    own = paths.unit_narrative(unit)
    if own.exists():
        source, file = read_template(own), paths.relative(own)
    else:
        source, file = rnd.default_narrative(), DEFAULT_UNIT_NARRATIVE
    try:
        blocks = rnd.narrative_blocks(source, context)
    except rnd.NarrativeError as exc:
        failed = finding("narrative.template", unit=unit, file=file, reason=str(exc))
        return UnitOutcome(
            unit, "narrative_template", 1, str(failed["message"]), findings=(failed,)
        )
    checked = narrative_findings(
        blocks, paths.year, report=f"{unit}本机关报告", unit=unit, file=file
    )
    found = tuple(checked.to_dict("records"))
    if supplied.undated:
        found += (undated(paths, paths.unit_supplied(unit), unit, f"{unit}本机关报告"),)
    if has_errors(checked):
        errors = int((checked["severity"] == "error").sum())
        path = store.write_csv(checked, paths.unit_narrative_findings(unit))
        message = f"{unit}的报告文字有{errors}个错误（见 {paths.shown(path)}），未生成本机关报告。"
        return UnitOutcome(unit, "narrative_errors", errors, message, (path,), found)
    report = rnd.Report(
        title=f"{paths.year}年政府信息公开工作年度报告",
        subtitle=issuer,
        issuer=issuer,
        year=paths.year,
        subject="本机关",
        values=values,
        narrative=rnd.with_fee_statement(blocks, context["fee_statement"]),
    )
    written = (
        store.write_text(rnd.report_html(report), paths.unit_report_html(unit)),
        store.write_text(rnd.report_md(report), paths.unit_report_md(unit)),
        store.write_bytes(word.report_docx(report), paths.unit_report_docx(unit)),
    )
    return UnitOutcome(
        unit, "written", written=written, findings=found, default_narrative=not own.exists()
    )


DEFAULT_UNIT_NARRATIVE = "pipeline/templates/unit_narrative.md.j2（内置默认文字）"


def _register_order(inputs: UnitInputs) -> list[str]:
    """The received units in the order of units.csv (any other after them, by name)."""
    listed = [] if inputs.units is None else list(inputs.units["name"])
    known = [u for u in listed if u in inputs.received]
    return known + sorted(set(inputs.received) - set(known))


def _kind_of(units: pd.DataFrame | None, unit: str) -> str:
    if units is None or "kind" not in units:
        return ""
    kinds = units.loc[units["name"] == unit, "kind"]
    return str(kinds.iloc[0]) if len(kinds) else ""
