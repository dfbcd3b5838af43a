"""Validate: each rule reported at its cell, with the numbers in the message."""

from pipeline import store
from pipeline.render.workbook import template_cell as at
from pipeline.run import run_ingest, run_validate
from tests.helpers import raw_year, validated, with_totals

UNIT = "古县司法局"
ONE_GRANTED = {("s3", "new", "natural"): 1, ("s3", "granted", "natural"): 1}


def test_a_consistent_return_has_no_error(tmp_path):
    assert validated(tmp_path, {UNIT: with_totals(ONE_GRANTED)}) == []


def test_a_wrong_row_total_is_reported_at_the_total_and_breaks_the_balance_of_its_column(tmp_path):
    values = with_totals(ONE_GRANTED) | {("s3", "new", "total"): 2}
    # NOTE: the one cell that explains both broken sums carries both findings
    assert sorted(validated(tmp_path, {UNIT: values})) == sorted(
        [
            (UNIT, at("s3", "new", "total"), "s3.row_total"),
            (UNIT, at("s3", "new", "total"), "s3.balance"),
        ]
    )


def test_two_wrong_outcome_totals_are_reported_on_their_columns_blaming_no_cell(tmp_path):
    values = with_totals(ONE_GRANTED | {("s3", "partial", "legal"): 1, ("s3", "new", "legal"): 1})
    values[("s3", "outcome_total", "legal")] = 0
    values[("s3", "outcome_total", "total")] = 1
    found = validated(tmp_path, {UNIT: values})
    # NOTE: two cells are wrong, so no single one explains the broken sums
    legal = f"{at('s3', 'granted', 'legal')}:{at('s3', 'other_other', 'legal')}"
    total = f"{at('s3', 'granted', 'total')}:{at('s3', 'other_other', 'total')}"
    assert (
        UNIT,
        legal.replace(at("s3", "other_other", "legal"), at("s3", "outcome_total", "legal")),
        "s3.outcome_total",
    ) in found
    assert (
        UNIT,
        total.replace(at("s3", "other_other", "total"), at("s3", "outcome_total", "total")),
        "s3.outcome_total",
    ) in found


def test_the_balance_message_states_the_rule_with_the_numbers(tmp_path):
    values = with_totals({("s3", "new", "natural"): 60, ("s3", "granted", "natural"): 61})
    paths = raw_year(tmp_path, {UNIT: values})
    run_ingest(paths)
    run_validate(paths)
    findings = store.read_csv(paths.validated_findings)
    balance = findings[(findings["rule"] == "s3.balance") & (findings["col"] == "natural")].iloc[0]
    assert (
        balance["message"]
        == "表三“自然人”列：一（60）+二（0）=60，不等于（七）总计（61）+四（0）=61，相差1。"
    )
    # NOTE: every cell of the column is also in a row total that holds: no single cell explains
    # it, so the finding stands on the column
    assert (balance["unit"], balance["sheet"], balance["cell"], balance["expected"]) == (
        UNIT,
        "三、收到和处理政府信息公开申请情况",
        f"{at('s3', 'new', 'natural')}:{at('s3', 'carried_out', 'natural')}",
        "",
    )


def test_table_four_group_totals(tmp_path):
    values = with_totals(ONE_GRANTED | {("s4", "cases", "direct_upheld"): 2}) | {
        ("s4", "cases", "direct_total"): 1
    }
    # NOTE: any one of the group's five cells explains it equally: the group is named, no cell
    group = f"{at('s4', 'cases', 'direct_upheld')}:{at('s4', 'cases', 'direct_total')}"
    assert validated(tmp_path, {UNIT: values}) == [(UNIT, group, "s4.group_total")]


def test_unreadable_text_is_an_error_at_its_cell_never_a_zero(tmp_path):
    values = with_totals({}) | {
        ("s2", "licensing", "decisions"): "两件",
        ("s3", "new", "commercial"): "减少8",
    }
    found = validated(tmp_path, {UNIT: values})
    assert (UNIT, at("s2", "licensing", "decisions"), "value.type") in found
    assert (UNIT, at("s3", "new", "commercial"), "value.type") in found
    assert not any(rule.startswith("s3.") for _, _, rule in found), (
        "a row with an unreadable cell is not judged"
    )


def test_blanks_are_read_as_zero_and_noted_once_per_return(tmp_path):
    values = with_totals({}) | {
        ("s2", "rules", "issued"): "",
        ("s2", "rules", "repealed"): "/",
        ("s2", "rules", "in_force"): "—",
    }
    paths = raw_year(tmp_path, {UNIT: values})
    run_ingest(paths)
    run_validate(paths)
    findings = store.read_csv(paths.validated_findings)
    notes = findings[findings["rule"] == "value.missing"]
    assert len(notes) == 1 and notes.iloc[0]["severity"] == "info"
    assert (
        notes.iloc[0]["message"]
        == f"{UNIT}有3个单元格为空或填写“/”“—”“无”等，已按0计算：二、主动公开政府信息情况!B5、C5、D5。"
    )


def test_fees_collected_without_a_notice(tmp_path):
    values = with_totals({}) | {("s6", "fees", "collected"): 50}
    found = validated(tmp_path, {UNIT: values})
    assert found == [
        (UNIT, at("s6", "fees", "collected"), "s6.fees"),
        (UNIT, at("s6", "fees", "collected"), "s6.fees"),
    ]


def test_every_return_is_checked_in_one_run(tmp_path):
    bad = with_totals(ONE_GRANTED) | {("s3", "new", "total"): 2}
    found = validated(tmp_path, {"甲局": bad, "乙局": bad, "丙局": with_totals(ONE_GRANTED)})
    assert {unit for unit, _, _ in found} == {"甲局", "乙局"}


def test_strict_makes_each_blank_an_error_at_its_cell(tmp_path):
    values = with_totals({}) | {("s2", "rules", "issued"): "", ("s2", "rules", "repealed"): "/"}
    paths = raw_year(tmp_path, {UNIT: values})
    run_ingest(paths)
    run_validate(paths, strict=True)
    findings = store.read_csv(paths.validated_findings)
    blanks = findings[findings["rule"] == "value.blank"]
    assert sorted(zip(blanks["cell"], blanks["severity"], strict=True)) == [
        ("B5", "error"),
        ("C5", "error"),
    ]
    assert "value.missing" not in set(findings["rule"])


def test_a_return_left_entirely_blank_is_its_own_finding(tmp_path):
    from tests.helpers import zeros

    empty = {key: "" for key in zeros()}
    assert (UNIT, "", "value.all_blank") in validated(tmp_path, {UNIT: empty})


def test_cross_table_warnings(tmp_path):
    values = with_totals(
        {
            ("s2", "rules", "issued"): 1,
            ("s4", "cases", "review_upheld"): 1,
            ("s3", "other_no_fee", "natural"): 1,
            ("s3", "carried_in", "natural"): 1,
        }
    )
    found = validated(tmp_path, {UNIT: values})
    assert (UNIT, at("s2", "rules", "issued"), "s2.rules_level") in found
    assert (UNIT, at("s3", "other_no_fee", "total"), "s3.fee_rows") in found
    assert not any(rule == "s4.without_requests" for *_, rule in found), "a request was carried in"
    no_requests = with_totals({("s4", "cases", "review_upheld"): 1})
    assert (UNIT, at("s4", "cases", "review_total"), "s4.without_requests") in validated(
        tmp_path / "b", {UNIT: no_requests}
    )


def two_years(tmp_path, last: dict, this: dict):
    """raw/2022 and raw/2023 for one unit, this year validated; the findings as (cell, rule, message)."""
    raw_year(tmp_path, {UNIT: last}, year=2022)
    paths = raw_year(tmp_path, {UNIT: this}, year=2023)
    run_ingest(paths)
    run_validate(paths)
    findings = store.read_csv(paths.validated_findings)
    return [
        (f.cell, f.rule, f.message)
        for f in findings.itertuples()
        if f.rule.startswith("year.") and f.rule != "year.sources"  # NOTE: a note, not a rule
    ]


def test_carry_over_is_checked_column_by_column_against_last_year(tmp_path):
    last = with_totals(
        {
            ("s3", "new", "natural"): 3,
            ("s3", "granted", "natural"): 1,
            ("s3", "carried_out", "natural"): 2,
        }
    )
    this = with_totals({("s3", "carried_in", "natural"): 1, ("s3", "granted", "natural"): 1})
    found = two_years(tmp_path, last, this)
    assert (
        at("s3", "carried_in", "natural"),
        "year.carry_over",
        "表三“自然人”列：本年“二、上年结转”为1，而2022年报表“四、结转下年度继续办理”为2，相差1。",
    ) in found


def test_in_force_follows_last_year_and_big_swings_are_warned(tmp_path):
    last = with_totals({("s2", "normative", "in_force"): 10, ("s2", "licensing", "decisions"): 20})
    this = with_totals(
        {
            ("s2", "normative", "issued"): 2,
            ("s2", "normative", "in_force"): 20,
            ("s2", "licensing", "decisions"): 200,
        }
    )
    found = {(cell, rule) for cell, rule, _ in two_years(tmp_path, last, this)}
    assert (at("s2", "normative", "in_force"), "year.in_force") in found
    assert (at("s2", "licensing", "decisions"), "year.swing") in found


def test_small_numbers_do_not_swing(tmp_path):
    last = with_totals({("s2", "licensing", "decisions"): 1})
    this = with_totals({("s2", "licensing", "decisions"): 9})
    assert two_years(tmp_path, last, this) == []


def test_without_last_year_the_year_rules_are_said_not_run(tmp_path):
    paths = raw_year(tmp_path, {UNIT: with_totals({})})
    run_ingest(paths)
    run_validate(paths)
    findings = store.read_csv(paths.validated_findings)
    assert findings["rule"].tolist() == ["year.unchecked"]
    assert findings["severity"].tolist() == ["info"]


def test_suggestions_reach_the_findings(tmp_path):
    values = with_totals(ONE_GRANTED) | {("s3", "granted", "natural"): 4}
    paths = raw_year(tmp_path, {UNIT: values})
    run_ingest(paths)
    run_validate(paths)
    findings = store.read_csv(paths.validated_findings)
    errors = findings[findings["severity"] == "error"]
    assert set(errors["suggestion"]) == {
        f"【建议】{at('s3', 'granted', 'natural')}很可能有误：改为1可同时满足本行合计、本列（七）总计。"
    }
