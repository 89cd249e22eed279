"""`make bench` in miniature: the benchmark script builds its articles, measures every ratio
of issue 9 in fresh processes and prints the table (CI runs only this smoke run)."""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_bench_smoke_run_prints_every_ratio():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--smoke"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert table[0] == "| what | measured | target |"
    names = [row.split(" | ")[0] for row in table[2:]]
    assert [n[:4] for n in names] == ["| 2.", "| 3.", "| 4.", "| 4.", "| 5.", "| 6."], names
    assert "machine: " in done.stdout and "cores" in done.stdout
