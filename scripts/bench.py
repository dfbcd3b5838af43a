"""Benchmark: build N synthetic returns, run `xxgk report` on them as a user would, and print
each stage's time, returns per second and peak memory (and the same for the shipped sample year).

    python scripts/bench.py            # 10,000 returns, a tenth of them in messy layouts
    python scripts/bench.py -n 1000 --messy 0
    python scripts/bench.py --reading  # reading throughput: own template vs messy layouts

Figures are printed, never asserted: timing belongs here, not in the test suite.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd

from pipeline import store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.memo import Memo  # noqa: E402
from pipeline.paths import Paths  # noqa: E402
from pipeline.render.workbook import write_return  # noqa: E402
from pipeline.run import read_return  # noqa: E402
from pipeline.validate import validated_findings  # noqa: E402
from scripts.make_sample import unit_values  # noqa: E402
from scripts.messy import corpus  # noqa: E402

DISTINCT = 50  # distinct figures written; the other returns copy them under their own unit


def synthetic_year(root: Path, n: int, year: int = 2023) -> Paths:
    """raw/<year>/ under `root` with n units and one consistent return each, its unit on its
    cover as a department fills it in (so no two returns have the same bytes)."""
    raw = root / "raw" / str(year)
    returns = raw / "returns"
    returns.mkdir(parents=True)
    rng = random.Random(n)
    names = [f"测试县第{i:05d}局" for i in range(n)]
    pd.DataFrame(
        {"code": [f"T{i:05d}" for i in range(n)], "name": names, "kind": "部门", "aliases": ""}
    ).to_csv(raw / "units.csv", index=False, encoding=store.CSV_ENCODING)
    templates = []
    for i in range(min(n, DISTINCT)):
        path = returns / f"{names[i]}.xlsx"
        write_return(path, names[i], year, unit_values(names[i], "部门", rng))
        templates.append((names[i], _parts(path)))
    for i in range(len(templates), n):
        name, parts = templates[i % len(templates)]
        _renamed_copy(parts, name, names[i], returns / f"{names[i]}.xlsx")
    return Paths(root / "raw", root / "output", year)


def _parts(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def _renamed_copy(parts, old: str, new: str, target: Path) -> None:
    """A copy of a return (as its parts) whose unit is `new` instead of `old`, on the cover and
    in the document properties: the same figures, not the same bytes (writing is not what we
    measure, so figures are shared among a few dozen distinct returns)."""
    before, after = old.encode(), new.encode()
    with zipfile.ZipFile(target, "w") as zf:
        for info, data in parts:
            zf.writestr(info, data.replace(before, after))


def messy_returns(folder: Path, n: int) -> list[tuple[Path, str]]:
    """n readable returns of the messy corpus's mixed layouts (distinct files), with their units."""
    names = [f"样本县第{i:05d}局" for i in range(n + 64)]
    files: list[tuple[Path, str]] = []
    start = 0
    while len(files) < n:
        cases = corpus(folder / f"round{start}", 2023, names[start : start + 64])
        files.extend(
            (folder / f"round{start}" / c.file, c.unit) for c in cases if c.cells is not None
        )
        start += len(cases)
        names.extend(f"样本县第{i:05d}局" for i in range(len(names), len(names) + 64))
    return files[:n]


def reading_throughput(files: list[Path]) -> float:
    """Returns read per second, as ingest reads them (checks included), in one process with one
    memo, as a run's worker reads its share."""
    memo = Memo()
    start = time.perf_counter()
    for path in files:
        read_return(path, path.name, memo)
    return len(files) / (time.perf_counter() - start)


def reading(n: int) -> None:
    """Print reading throughput for the project's own template and for messy layouts."""
    with tempfile.TemporaryDirectory() as tmp:
        own = synthetic_year(Path(tmp) / "own", n).return_files()
        messy = [path for path, _ in messy_returns(Path(tmp) / "messy", n)]
        for files in (own, messy):  # NOTE: a first pass warms the disk cache
            for path in files:
                path.read_bytes()
        print(f"读取 reading (one process), {n} returns each:")
        print(f"  own template  {reading_throughput(own):8.0f} returns/s")
        print(f"  messy layouts {reading_throughput(messy):8.0f} returns/s  ({len(messy)} files)")


def mixed_year(root: Path, n: int, messy_share: float) -> Paths:
    """raw/<year>/ with n returns: the project's template, and a share of messy layouts."""
    n_messy = int(n * messy_share)
    paths = synthetic_year(root, n - n_messy)
    if n_messy:
        # NOTE: each messy file names a unit of its own (cover, title or file name)
        roll = pd.read_csv(
            paths.units, dtype=str, encoding=store.CSV_ENCODING, keep_default_na=False
        )
        extra = []
        for i, (path, unit) in enumerate(messy_returns(root / "messy", n_messy)):
            shutil.copyfile(path, paths.returns_dir / f"messy{i:05d}{path.suffix}")
            extra.append({"code": f"M{i:05d}", "name": unit, "kind": "部门", "aliases": ""})
        taken = set(roll["name"])
        roll = pd.concat(
            [roll[~roll["name"].isin({e["name"] for e in extra})], pd.DataFrame(extra)]
        )
        roll.to_csv(paths.units, index=False, encoding=store.CSV_ENCODING)
        del taken
    return paths


def pipeline(paths: Paths, label: str) -> None:
    """Run `xxgk report` as a user would (start-up included) and print what it took."""
    command = [
        sys.executable,
        "-m",
        "pipeline",
        "report",
        "--year",
        str(paths.year),
        "--raw",
        str(paths.raw_root),
        "--out",
        str(paths.out_root),
        "--quiet",
    ]
    start = time.perf_counter()
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    files = len(paths.return_files())
    print(
        f"{label}: {files} returns, exit {done.returncode}, {wall:.2f} s wall, {files / wall:.0f} returns/s"
    )
    if done.returncode not in (0, 1):
        print(done.stderr)
        return
    record = json.loads(paths.manifest.read_text(encoding="utf-8"))
    for stage in record["stages"]:
        print(
            f"  {stage['stage']:<10}{stage['seconds']:8.2f} s   {files / max(stage['seconds'], 1e-9):10.0f} returns/s"
        )
    print(f"  largest process peak RSS {peak:8.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(
        description="xxgk 性能测试：生成 N 份报表，运行全流程，打印各步骤用时、吞吐量和内存峰值"
    )
    parser.add_argument("-n", type=int, default=10_000, help="报表份数（默认 10000）")
    parser.add_argument("--messy", type=float, default=0.1, help="不规范版式报表的比例（默认 0.1）")
    parser.add_argument(
        "--reading", action="store_true", help="只测读取：本项目模板与各种不规范版式的吞吐量"
    )
    parser.add_argument("--rules", action="store_true", help="另测校验规则本身（pandera）的用时")
    args = parser.parse_args()
    if args.reading:
        reading(args.n)
        return
    with tempfile.TemporaryDirectory() as tmp:
        pipeline(Paths(ROOT / "raw", Path(tmp) / "sample", 2023), "sample year raw/2023")
        paths = mixed_year(Path(tmp) / "bench", args.n, args.messy)
        pipeline(paths, f"synthetic year ({args.messy:.0%} messy layouts)")
        if args.rules:
            cells = store.read_cells(paths.ingested_cells)
            start = time.perf_counter()
            validated_findings(cells)
            print(
                f"  rules only {time.perf_counter() - start:8.2f} s   ({len(cells):,} cells, one combined table)"
            )


if __name__ == "__main__":
    main()
