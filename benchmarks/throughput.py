"""Throughput of `provnews run` (articles per second), full model vs rules-only.

usage: python benchmarks/throughput.py INPUT... [--n-process N]

Wall time per mode, start-up included (model and gazetteer loading), into a fresh output
folder each time. Default input: the shared corpus if present, else the sample articles.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pipeline.run import run
from pipeline.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "articles.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("inputs", nargs="*", type=Path)
    parser.add_argument("--n-process", type=int, default=1)
    args = parser.parse_args()
    inputs = args.inputs or [CORPUS if CORPUS.exists() else ROOT / "data" / "raw"]
    settings = load_settings(nlp={"n_process": args.n_process})
    for rules_only in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            summary = run(inputs, Path(tmp), settings, rules_only=rules_only)
            seconds = time.perf_counter() - started
        mode = "rules-only" if rules_only else f"model {settings.nlp.model}"
        print(f"{mode:36} {summary.counts['articles']:6d} articles in {seconds:7.1f} s = "
              f"{summary.counts['articles'] / seconds:6.1f} articles/s (n_process={args.n_process})")


if __name__ == "__main__":
    main()
