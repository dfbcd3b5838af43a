"""Published reports read per second (PDF and text), on the real fixtures, one core; and the
whole audit (`run_audit`: read, every rule, the years compared, the four outputs written) over
reports written for the purpose (two years of each of many bodies).

Usage: .venv/bin/python scripts/bench_published.py [--seconds 5] [--bodies 100]
Figures are printed, never asserted (`make bench` runs this after scripts/bench.py).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pipeline.ingest.published import read_report
from pipeline.ingest.published.split import Run, splits
from pipeline.validate.localise import equations

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REAL = ROOT / "tests" / "fixtures" / "real"
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


def audit_rate(bodies: int) -> tuple[float, int, float]:
    """Reports audited per second by `run_audit` (reading on every core) over two years of
    `bodies` bodies (text) and the 洪泽区 PDF: the rate, the reports, and the seconds."""
    from pipeline.audit.run import run_audit
    from scripts.published_texts import report_text, s3_values

    with tempfile.TemporaryDirectory(prefix="xxgk-bench-audit-") as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for i in range(bodies):
            issuer = f"某某县第{i + 1}局"
            for year, values in ((2022, s3_values(5 + i, 0, 3)), (2023, s3_values(4, 2 + i, 6))):
                text = report_text(issuer, year, values)
                (folder / f"{issuer}{year}.txt").write_text(text, encoding="utf-8")
        shutil.copy2(REAL / "洪泽区2023.pdf", folder)
        start = time.perf_counter()
        result = run_audit([folder], Path(tmp) / "out")
        seconds = time.perf_counter() - start
    n = result.counts["files"]
    return n / seconds, n, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--bodies", type=int, default=100)
    args = parser.parse_args()
    print("published reports read per second (read_report, one core):")
    for kind, paths in KINDS.items():
        per_second, n = rate(paths, args.seconds)
        print(f"  {kind:22s} {per_second:8.1f} reports/s  ({n} read)")
    print(f"  {'split 表三 (25 rows)':22s} {split_time():8.1f} ms")
    per_second, n, seconds = audit_rate(args.bodies)
    print(
        f"  {'audit (all cores)':22s} {per_second:8.1f} reports/s  "
        f"({n} reports: {args.bodies} bodies × 2 years of text + 1 PDF, in {seconds:.1f} s)"
    )


if __name__ == "__main__":
    main()
