"""Write the shipped sample year: one return workbook per unit of raw/<year>/units.csv.

Deterministic (a fixed seed and fixed workbook dates): running it again rewrites the same files.
The county government office's return carries the figures of the published seed report
(古县人民政府办公室 2023); the other units get figures of a rural county's magnitudes.

    python scripts/make_sample.py            # writes raw/2023/returns/
"""

from __future__ import annotations

import argparse
import random
from decimal import Decimal
from pathlib import Path

import pandas as pd

from pipeline.format2021 import S3_OUTCOMES, S3_PARTS, S4_GROUPS, SECTIONS
from pipeline.render.workbook import CellKey, write_return

ROOT = Path(__file__).resolve().parents[1]
SEED_UNIT = "古县人民政府办公室"

# 行政许可, 行政处罚, 行政强制 decisions, and 行政事业性收费 (万元), for units that have many
ENFORCEMENT = {
    "古县行政审批服务管理局": (2614, 0, 0, "1.2050"),
    "古县公安局": (356, 148, 21, "85.3260"),
    "古县市场监督管理局": (118, 57, 6, "2.1300"),
    "古县交通运输局": (83, 31, 2, "5.6000"),
    "古县卫生健康和体育局": (152, 12, 0, "0.4860"),
    "古县教育局": (41, 0, 0, "0"),
    "古县应急管理局": (9, 16, 1, "0"),
    "古县林业局": (27, 11, 0, "0.0825"),
    "古县农业农村局": (36, 8, 0, "0"),
    "古县规划和自然资源局": (64, 9, 1, "312.4577"),
    "古县住房和城乡建设管理局": (47, 5, 1, "46.0815"),
    "古县水利局": (12, 4, 0, "3.1750"),
}
# new applications by applicant column, and (carried in, carried out) in 自然人
APPLICATIONS = {
    "古县规划和自然资源局": ({"natural": 8, "commercial": 1}, (1, 1)),
    "古县住房和城乡建设管理局": ({"natural": 5, "legal": 1}, (1, 0)),
    "古县人力资源和社会保障局": ({"natural": 4}, (0, 0)),
    "古县公安局": ({"natural": 3}, (0, 1)),
    "古县市场监督管理局": ({"natural": 2, "commercial": 1}, (0, 0)),
    "古县农业农村局": ({"natural": 2}, (0, 0)),
    "古县财政局": ({"natural": 1, "research": 1}, (0, 0)),
    "古县民政局": ({"natural": 2}, (0, 0)),
    "古县教育局": ({"natural": 2}, (0, 0)),
    "古县交通运输局": ({"natural": 1}, (0, 0)),
    "古县卫生健康和体育局": ({"natural": 1}, (0, 0)),
    "岳阳镇": ({"natural": 3}, (1, 0)),
    "古阳镇": ({"natural": 2}, (0, 0)),
    "北平镇": ({"natural": 1}, (0, 0)),
    "旧县镇": ({"natural": 1}, (0, 0)),
}
# 行政复议 and 行政诉讼 cases: (group, result) -> count
CASES = {
    "古县规划和自然资源局": {
        ("review", "upheld"): 1,
        ("review", "corrected"): 1,
        ("direct", "pending"): 1,
    },
    "古县住房和城乡建设管理局": {("review", "upheld"): 1, ("after", "upheld"): 1},
    "古县公安局": {("review", "pending"): 1},
}
# 信息处理费: notices sent, amount noticed (元), amount collected (元)
PROCESSING_FEES = {"古县规划和自然资源局": (1, "150", "150")}
OUTCOME_WEIGHTS = {
    "granted": 10,
    "partial": 3,
    "denied_third_party": 1,
    "denied_process": 1,
    "unable_not_held": 3,
    "unable_unclear": 1,
    "refused_petition": 1,
    "refused_repeat": 1,
    "other_no_correction": 1,
}


def seed_values() -> dict[CellKey, object]:
    """The figures of the published 古县人民政府办公室 2023 report (its blank cell read as 0)."""
    values = _zeros()
    values.update({("s2", "normative", "issued"): 0, ("s2", "normative", "in_force"): 13})
    for row in ("new", "granted", "outcome_total"):
        values["s3", row, "natural"] = 1
        values["s3", row, "total"] = 1
    return values


def unit_values(name: str, kind: str, rng: random.Random) -> dict[CellKey, object]:
    """Plausible, consistent figures for one unit."""
    values = _zeros()
    issued = rng.choice([0, 0, 1, 1, 2, 3]) if kind == "部门" else rng.choice([0, 0, 0, 1])
    repealed = rng.choice([0, 0, 0, 1])
    in_force = issued + rng.randint(0 if kind == "乡镇" else 2, 4 if kind == "乡镇" else 14)
    values.update(
        {
            ("s2", "normative", "issued"): issued,
            ("s2", "normative", "repealed"): repealed,
            ("s2", "normative", "in_force"): in_force,
        }
    )
    licensing, penalty, coercion, fees = ENFORCEMENT.get(
        name,
        (rng.randint(0, 25) if kind == "乡镇" else rng.randint(0, 12), rng.randint(0, 3), 0, "0"),
    )
    values.update(
        {
            ("s2", "licensing", "decisions"): licensing,
            ("s2", "penalty", "decisions"): penalty,
            ("s2", "coercion", "decisions"): coercion,
            ("s2", "fees", "amount"): Decimal(fees),
        }
    )
    new, (carried_in, carried_out) = APPLICATIONS.get(name, ({}, (0, 0)))
    for col in S3_PARTS:
        n_new = new.get(col, 0)
        n_in, n_out = (carried_in, carried_out) if col == "natural" else (0, 0)
        values["s3", "new", col] = n_new
        values["s3", "carried_in", col] = n_in
        values["s3", "carried_out", col] = n_out
        for outcome in rng.choices(
            list(OUTCOME_WEIGHTS), weights=list(OUTCOME_WEIGHTS.values()), k=n_new + n_in - n_out
        ):
            values["s3", outcome, col] += 1
    for row in ("new", "carried_in", "carried_out", *S3_OUTCOMES):
        values["s3", row, "total"] = sum(values["s3", row, c] for c in S3_PARTS)
    for col in (*S3_PARTS, "total"):
        values["s3", "outcome_total", col] = sum(values["s3", r, col] for r in S3_OUTCOMES)
    for (group, result), n in CASES.get(name, {}).items():
        values["s4", "cases", f"{group}_{result}"] = n
    for group in S4_GROUPS:
        values["s4", "cases", f"{group}_total"] = sum(
            values["s4", "cases", f"{group}_{r}"]
            for r in ("upheld", "corrected", "other", "pending")
        )
    notices, noticed, collected = PROCESSING_FEES.get(name, (0, "0", "0"))
    values.update(
        {
            ("s6", "fees", "notices"): notices,
            ("s6", "fees", "notice_amount"): Decimal(noticed),
            ("s6", "fees", "collected"): Decimal(collected),
        }
    )
    return values


def _zeros() -> dict[CellKey, object]:
    return {(code, r.code, c.code): 0 for code, s in SECTIONS.items() for r, c in s.cells}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--raw", type=Path, default=ROOT / "raw")
    args = parser.parse_args()
    units = pd.read_csv(
        args.raw / str(args.year) / "units.csv",
        dtype=str,
        encoding="utf-8-sig",
        keep_default_na=False,
    )
    out = args.raw / str(args.year) / "returns"
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.year)
    for unit in units.itertuples():
        values = seed_values() if unit.name == SEED_UNIT else unit_values(unit.name, unit.kind, rng)
        write_return(
            out / f"{unit.name}{args.year}年政务公开年报.xlsx", unit.name, args.year, values
        )
    print(f"已写出 {len(units)} 份报表到 {out}")


if __name__ == "__main__":
    main()
