"""Published reports read per second (PDF and text), on the real fixtures, one core.

Usage: .venv/bin/python scripts/bench_published.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipeline.audit import read_report
from pipeline.audit.split import Run, splits
from pipeline.validate.localise import equations

REAL = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "real"
KINDS = {
    "pdf": [REAL / "洪泽区2023.pdf"],
    "text (run together)": [REAL / "平潭综合实验区2021.txt", REAL / "平潭综合实验区2023.txt"],
    "text (Markdown)": [REAL / "上海市人民政府办公厅2025.md"],
    "docx": [REAL / "年报模板_WPS.docx"],
}


def rate(paths: list[Path], seconds: float) -> tuple[float, int]:
    """Reports read per second over about `seconds`, and how many were read."""
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds or n < len(paths):
        read_report(paths[n % len(paths)])
        n += 1
    return n / (time.perf_counter() - start), n


def split_time() -> float:
    """Milliseconds to split a whole 表三 of glued rows (the 平潭 2021 table)."""
    rows = [
        "640020470",
        "0000000",
        "270020130",
        "5000005",
        *["0000000"] * 4,
        "1000001",
        "0000000",
        "6000006",
        "1000001",
        "220000325",
        *["0000000"] * 9,
        "1000001",
        "630020469",
        "1000001",
    ]
    from pipeline.format2021 import S3

    runs = [
        Run(r.code, tuple(("s3", r.code, c.code) for c in S3.cols), d)
        for r, d in zip(S3.rows, rows, strict=True)
    ]
    start = time.perf_counter()
    for _ in range(20):
        splits(runs, {}, equations())
    return (time.perf_counter() - start) / 20 * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    for kind, paths in KINDS.items():
        per_second, n = rate(paths, args.seconds)
        print(f"{kind:22s} {per_second:8.1f} reports/s  ({n} read)")
    print(f"{'split 表三 (25 rows)':22s} {split_time():8.1f} ms")


if __name__ == "__main__":
    main()
