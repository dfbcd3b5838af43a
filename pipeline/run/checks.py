"""What a run checks before any work: the run's own inputs, that its outputs stay apart from them, and that a stage's inputs (the earlier stages' products) are there."""

from __future__ import annotations

import difflib
import logging
from pathlib import Path

import pandas as pd

from pipeline.ingest.register import UnitIndex
from pipeline.ingest.vocabulary import norm
from pipeline.inputs import (
    CannotStart,
    check_apart,
    read_config,
    read_reviewed,
    read_template,
    read_units,
)
from pipeline.paths import Paths
from pipeline.render.supplied import supplied_figures

log = logging.getLogger("xxgk")


def check_inputs(paths: Paths) -> pd.DataFrame:
    """The year's roster, after checking the run's own inputs (the year folder, units.csv,
    config.toml, reviewed.csv); CannotStart names what is wrong, before any work."""
    if not paths.raw.is_dir():
        raise CannotStart(f"找不到年度文件夹：{paths.raw}（请检查 --raw 和 --year）")
    if not paths.units.is_file():
        raise CannotStart(f"找不到单位名册：{paths.units}（应有 code,name,kind,aliases 四列）")
    units = read_units(paths.units)
    read_config(paths.config)
    read_reviewed(paths.reviewed, units)
    return units


def check_outputs(paths: Paths) -> None:
    """Refuse to write the year's outputs over, into or around its inputs, or into a folder of
    that name that xxgk did not make."""
    check_apart(paths.raw, paths.out_root / str(paths.year))


def check_narratives(paths: Paths, units: list[str], *, county: bool = True) -> None:
    """Read the narrative templates a run will use (the county's, with `county`, and the
    `units`' own), so an encoding or syntax error stops it before any work."""
    own = [paths.narrative] if county else []
    for path in [*own, *(paths.unit_narrative(u) for u in units)]:
        if path.is_file():
            read_template(path)
    # NOTE: the figures beside the narratives are checked as early (names, whole numbers)
    for figures in [paths.supplied] if county else []:
        supplied_figures(figures, paths.year)
    for unit in units:
        supplied_figures(paths.unit_supplied(unit), paths.year)


def unit_named(paths: Paths, text: str) -> str:
    """The roster's name of the unit `text` names (`--unit`): by its code, its name or an alias
    (the roster's one matcher, `UnitIndex`); CannotStart when it names none or several."""
    units = check_inputs(paths)
    index = UnitIndex(units)
    codes = [text.strip()] if text.strip() in index.name_of else index.match(text)
    if len(codes) == 1:
        return index.name_of[codes[0]]
    if codes:
        names = "、".join(index.name_of[c] for c in codes)
        raise CannotStart(f"“{text}”对应到单位名册中的多个单位（{names}），请写单位全称或代码")
    close = difflib.get_close_matches(norm(text), index.names, n=3, cutoff=0.5)
    named = dict.fromkeys(index.name_of[index.names[n]] for n in close)
    hint = f"是不是：{'、'.join(named)}？" if named else ""
    raise CannotStart(f"单位名册 {paths.units} 中没有“{text}”（按名称、别名和代码查找）。{hint}")


def _needs(*products: Path) -> None:
    """Refuse to run a stage whose inputs (an earlier stage's products) are not there."""
    for product in products:
        if not product.exists():
            raise CannotStart(
                f"找不到上一步的输出：{product}（请先运行前面的步骤，或运行 xxgk report）"
            )
