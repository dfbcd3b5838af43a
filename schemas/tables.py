"""The data dictionary: pandera models of the tables each stage hands to the next."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.format2021 import SECTIONS
from pipeline.ingest.values import READ_AS
from pipeline.problems import RULES, SEVERITY_LABELS

_ROWS = sorted({r.code for s in SECTIONS.values() for r in s.rows})
_COLS = sorted({c.code for s in SECTIONS.values() for c in s.cols})


class IngestedCells(pa.DataFrameModel):
    """One row per cell read from a return: where it came from, what was written, what was read."""

    unit: Series[str] = pa.Field(description="填报单位（单位名册中的名称）")
    unit_code: Series[str] = pa.Field(description="单位代码")
    file: Series[str] = pa.Field(description="报表文件，相对于 raw/<year>/")
    sheet: Series[str] = pa.Field(description="工作表")
    cell: Series[str] = pa.Field(description="单元格地址，如 D12")
    section: Series[str] = pa.Field(isin=list(SECTIONS), description="表：s2 s3 s4 s6")
    row: Series[str] = pa.Field(isin=_ROWS, description="行代码")
    col: Series[str] = pa.Field(isin=_COLS, description="列代码")
    raw_type: Series[str] = pa.Field(
        isin=["number", "text", "empty", "bool", "date", "formula", "error"], description="原始类型"
    )
    text: Series[str] = pa.Field(description="填写内容（原样）")
    read_as: Series[str] = pa.Field(isin=list(READ_AS), description="读取方式（见 docs/values.md）")
    value: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="读取的数值（整数，单位为 10^-scale）"
    )
    problem: Series[str] = pa.Field(description="无法读取的原因")
    # NOTE: optional, so a cell table made without it (a test's, the county's) is still one
    matched: Series[str] | None = pa.Field(
        description="行/列标签如何匹配：exact 原样、variant 变体、similar 相近、position 按位置、sentence 按文字"
    )

    class Config:
        strict = True
        coerce = False


class Findings(pa.DataFrameModel):
    """The findings table: one row per problem, with its rule, its place and its message."""

    severity: Series[str] = pa.Field(isin=list(SEVERITY_LABELS))
    rule: Series[str] = pa.Field(isin=list(RULES))
    unit: Series[str]
    file: Series[str]
    sheet: Series[str]
    cell: Series[str]
    section: Series[str]
    row: Series[str]
    col: Series[str]
    text: Series[str]
    value: Series[str]
    expected: Series[str]
    message: Series[str] = pa.Field(str_length={"min_value": 1})
    suggestion: Series[str]

    class Config:
        strict = True
        ordered = True


class CountyCells(pa.DataFrameModel):
    """The consolidated table: one row per cell of the format, the sum over the units' returns."""

    section: Series[str] = pa.Field(isin=list(SECTIONS))
    row: Series[str] = pa.Field(isin=_ROWS)
    col: Series[str] = pa.Field(isin=_COLS)
    value: Series[pd.Int64Dtype] = pa.Field(ge=0)
    units: Series[int] = pa.Field(ge=0, description="参与汇总的单位数")

    class Config:
        strict = True
        unique = ["section", "row", "col"]
