"""Benchmark: build N synthetic returns, run the stages, print time, throughput and peak memory.

    python scripts/bench.py            # 1,000 returns
    python scripts/bench.py -n 10000
    python scripts/bench.py --reading  # reading throughput: own template vs messy layouts

Figures are printed, never asserted: timing belongs here, not in the test suite.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline import io  # noqa: E402
from pipeline.ingest import return_read  # noqa: E402
from pipeline.paths import Paths  # noqa: E402
from pipeline.run import run_aggregate, run_ingest, run_render, run_validate  # noqa: E402
from pipeline.validate import validated_findings  # noqa: E402
from pipeline.workbook import write_return  # noqa: E402
from scripts.make_sample import unit_values  # noqa: E402
from tests.messy import corpus  # noqa: E402

DISTINCT = (
    50  # distinct workbooks written; the rest are byte copies (writing is not what we measure)
)


def synthetic_year(root: Path, n: int, year: int = 2023) -> Paths:
    """raw/<year>/ under `root` with n units and one consistent return each."""
    raw = root / "raw" / str(year)
    returns = raw / "returns"
    returns.mkdir(parents=True)
    rng = random.Random(n)
    names = [f"测试县第{i:05d}局" for i in range(n)]
    pd.DataFrame(
        {"code": [f"T{i:05d}" for i in range(n)], "name": names, "kind": "部门", "aliases": ""}
    ).to_csv(raw / "units.csv", index=False, encoding=io.CSV_ENCODING)
    templates = []
    for i in range(min(n, DISTINCT)):
        path = returns / f"{names[i]}.xlsx"
        # NOTE: no 填报单位 on the cover, so byte copies are told apart by their file names
        write_return(path, "", year, unit_values(names[i], "部门", rng))
        templates.append(path)
    for i in range(len(templates), n):
        shutil.copyfile(templates[i % len(templates)], returns / f"{names[i]}.xlsx")
    return Paths(root / "raw", root / "output", year)


def messy_returns(folder: Path, n: int) -> list[Path]:
    """n readable returns of the messy corpus's mixed layouts, distinct files (no byte copies)."""
    names = [f"测试县第{i:05d}局" for i in range(n + 64)]
    files: list[Path] = []
    start = 0
    while len(files) < n:
        cases = corpus(folder / f"round{start}", 2023, names[start : start + 64])
        files.extend(folder / f"round{start}" / c.file for c in cases if c.cells is not None)
        start += len(cases)
        names.extend(f"测试县第{i:05d}局" for i in range(len(names), len(names) + 64))
    return files[:n]


def reading_throughput(files: list[Path]) -> float:
    """Returns read per second: opening the workbook and finding its tables (one process)."""
    start = time.perf_counter()
    for path in files:
        return_read(path.name, io.read_sheets(path), io.formula_lookup(path))
    return len(files) / (time.perf_counter() - start)


def reading(n: int) -> None:
    """Print reading throughput for the project's own template and for messy layouts."""
    with tempfile.TemporaryDirectory() as tmp:
        own = synthetic_year(Path(tmp) / "own", n).return_files()
        messy = messy_returns(Path(tmp) / "messy", n)
        for files in (own, messy):  # NOTE: a first pass warms the disk cache
            for path in files:
                path.read_bytes()
        print(f"读取 reading (one process), {n} returns each:")
        print(f"  own template  {reading_throughput(own):8.0f} returns/s")
        print(f"  messy layouts {reading_throughput(messy):8.0f} returns/s  ({len(messy)} files)")


def main() -> None:
    parser = argparse.ArgumentParser(description="xxgk 性能测试")
    parser.add_argument("-n", type=int, default=1000, help="报表份数（默认 1000）")
    parser.add_argument(
        "--reading", action="store_true", help="只测读取：本项目模板与各种不规范版式的吞吐量"
    )
    args = parser.parse_args()
    if args.reading:
        reading(args.n)
        return
    with tempfile.TemporaryDirectory() as tmp:
        paths = synthetic_year(Path(tmp), args.n)
        print(f"报表份数 returns: {args.n}")
        timings = {}
        for name, stage in (
            ("ingest", run_ingest),
            ("validate", run_validate),
            ("aggregate", run_aggregate),
            ("render", run_render),
        ):
            start = time.perf_counter()
            stage(paths)
            timings[name] = time.perf_counter() - start
            print(f"  {name:<10}{timings[name]:8.2f} s   {args.n / timings[name]:10.0f} returns/s")
        cells = io.read_cells(paths.ingested_cells)
        start = time.perf_counter()
        validated_findings(cells)
        rules = time.perf_counter() - start
        print(f"  rules only{rules:8.2f} s   ({len(cells):,} cells, one combined table)")
        print(f"  total     {sum(timings.values()):8.2f} s")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak RSS  {peak:8.0f} MiB")


if __name__ == "__main__":
    main()
