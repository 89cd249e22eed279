"""The ratios of issue 9, measured side by side in one run on this machine (`make bench`).

usage: python benchmarks/bench.py [--articles N] [--memory SMALL,LARGE] [--html N] [--added N]
                                  [--repeats R] [--smoke]

Every measurement is a fresh process (`--measure`), so no run inherits another's warm caches;
its wall time includes loading the model, and its peak memory is the sum of the resident memory
of it and all its children, sampled every 20 ms. The articles are `benchmarks/corpus.py`'s: N
distinct articles made from the corpus, none a duplicate of another (checked: every run must
write all of them).

1. full mode, 1 process, end to end  vs  a bare `nlp.pipe` of the same model (as published,
   every component) over the same texts                                    target >= 0.9
2. rules-only  vs  full mode (1 process each)                              target >= 15
3. 2 worker processes  vs  1 process; a Dask LocalCluster of 2 workers  vs  1 process
   (full mode)                                                             target >= 1.7
4. peak memory, rules-only, SMALL vs LARGE articles; HTML pages vs the same articles as text
                                                                           target <= 1.10, <= 1.0
5. a run adding 10 articles to a folder of LARGE articles                  target <= 3 s + model load
6. a re-run with nothing new, over SMALL and LARGE articles and the HTML pages (inputs the
   tables hold are read and hashed, not cleaned again)                     (no ratio target)
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import write_html, write_jsonl  # noqa: E402


# ---- one measurement, in its own process --------------------------------------------------

def measure(kind: str, inputs: list[str], out: str | None, engine: str, n_process: int) -> dict:
    started = time.perf_counter()
    if kind == "bare":  # the model as published, every component, and nothing else
        import spacy

        from pipeline.settings import load_settings

        texts = [json.loads(line)["text"] for line in open(inputs[0], encoding="utf-8")]
        nlp = spacy.load(load_settings().nlp.model)
        count = sum(1 for _ in nlp.pipe(texts, batch_size=64))
        return {"seconds": time.perf_counter() - started, "articles": count}
    if kind == "load":  # the model alone
        import spacy

        from pipeline.settings import load_settings

        spacy.load(load_settings().nlp.model)
        return {"seconds": time.perf_counter() - started, "articles": 0}
    from pipeline.run import run
    from pipeline.settings import load_settings

    settings = load_settings(nlp={"n_process": n_process})
    summary = run(inputs, out, settings, rules_only=kind == "rules", engine=engine, progress=False)
    return {"seconds": time.perf_counter() - started, "articles": summary.counts["articles"],
            "duplicates": summary.duplicates, "failed": summary.failed}


def _peak_memory(process: psutil.Popen, peak: list[int]) -> None:
    while process.poll() is None:
        try:
            family = [process, *process.children(recursive=True)]
            peak[0] = max(peak[0], sum(p.memory_info().rss for p in family if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.02)


def measured(kind: str, inputs: list[Path], out: Path | None = None, engine: str = "local",
             n_process: int = 1, fresh: bool = True) -> dict:
    """One measurement in a fresh Python process: its result, plus the peak memory of the tree.
    `fresh`: into an empty folder (else into what `out` holds: a re-run)."""
    if fresh and out is not None and out.exists():
        shutil.rmtree(out)
    command = [sys.executable, __file__, "--measure", kind, "--engine", engine, "--n-process", str(n_process),
               "--out", str(out or ""), *map(str, inputs)]
    process = psutil.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak = [0]
    sampler = threading.Thread(target=_peak_memory, args=(process, peak), daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"measurement {kind} {engine}:{n_process} failed:\n{stderr[-2000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["peak_mb"] = peak[0] / 2**20
    return result


def median_of(repeats: int, *args, **kwargs) -> dict:
    runs = [measured(*args, **kwargs) for _ in range(repeats)]
    middle = statistics.median(r["seconds"] for r in runs)
    best = min(runs, key=lambda r: abs(r["seconds"] - middle))
    return {**best, "seconds": middle, "peak_mb": max(r["peak_mb"] for r in runs)}


# ---- the table ----------------------------------------------------------------------------

def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    import spacy

    return (f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GB RAM, "
            f"Python {platform.python_version()}, spaCy {spacy.__version__}, load average "
            f"{os.getloadavg()[0]:.1f} at the start")


def rate(result: dict) -> float:
    return result["articles"] / result["seconds"]


def check_all_written(result: dict, expected: int, what: str) -> None:
    if result["articles"] != expected:
        raise SystemExit(f"{what}: {result['articles']} of {expected} articles written "
                         f"({result.get('duplicates')} taken for duplicates, {result.get('failed')} failed)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000, help="articles for the throughput ratios")
    parser.add_argument("--memory", default="2000,20000", help="SMALL,LARGE article counts for the memory ratio")
    parser.add_argument("--html", type=int, default=1000, help="pages for HTML vs text memory")
    parser.add_argument("--added", type=int, default=10, help="articles added to the large folder (start-up)")
    parser.add_argument("--repeats", type=int, default=1, help="runs per figure (the median is kept)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, rules-only, no Dask: checks the script")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="local", help=argparse.SUPPRESS)
    parser.add_argument("--n-process", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("inputs", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.inputs, args.out or None, args.engine, args.n_process)))
        return
    small, large = map(int, args.memory.split(","))
    if args.smoke:
        args.articles, small, large, args.html, args.added = 20, 20, 40, 10, 3
    full = "rules" if args.smoke else "full"
    print(f"machine: {machine()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="provnews-bench-") as tmp:
        work = Path(tmp)
        texts = write_jsonl(work / "articles.jsonl", args.articles)
        lines: list[tuple[str, str, str]] = []

        def say(what: str, value: str, target: str) -> None:
            lines.append((what, value, target))
            print(f"  {what}: {value}  (target {target})", flush=True)

        # 1 and 2: one process each, the same texts
        one = median_of(args.repeats, full, [texts], work / "out", "local", 1)
        check_all_written(one, args.articles, f"{full} mode")
        rules = median_of(args.repeats, "rules", [texts], work / "out", "local", 1)
        check_all_written(rules, args.articles, "rules-only")
        if not args.smoke:
            bare = median_of(args.repeats, "bare", [texts])
            say("1. full mode vs bare nlp.pipe of the model",
                f"{rate(one):.1f} vs {rate(bare):.1f} articles/s = {rate(one) / rate(bare):.2f}", ">= 0.9")
        say("2. rules-only vs full mode", f"{rate(rules):.1f} vs {rate(one):.1f} articles/s = "
            f"{rate(rules) / rate(one):.1f}x", ">= 15x")
        # 3: the same work on two workers
        two = median_of(args.repeats, full, [texts], work / "out", "local", 2)
        check_all_written(two, args.articles, "2 processes")
        say("3. 2 processes vs 1 (full mode)", f"{rate(two):.1f} vs {rate(one):.1f} articles/s = "
            f"{rate(two) / rate(one):.2f}x", ">= 1.7x")
        if not args.smoke:
            dask = median_of(args.repeats, full, [texts], work / "out", "dask", 2)
            check_all_written(dask, args.articles, "Dask")
            say("3. Dask LocalCluster, 2 workers vs 1 process", f"{rate(dask):.1f} vs {rate(one):.1f} articles/s = "
                f"{rate(dask) / rate(one):.2f}x", ">= 1.7x")
        # 4: memory does not grow with the archive; a page costs no more than its text
        small_run = measured("rules", [write_jsonl(work / "small.jsonl", small)], work / "small")
        check_all_written(small_run, small, "memory, small")
        large_out = work / "large"
        large_run = measured("rules", [write_jsonl(work / "large.jsonl", large)], large_out)
        check_all_written(large_run, large, "memory, large")
        say(f"4. peak memory, rules-only, {small:,} vs {large:,} articles",
            f"{small_run['peak_mb']:.0f} vs {large_run['peak_mb']:.0f} MB = "
            f"{large_run['peak_mb'] / small_run['peak_mb']:.2f}", "<= 1.10")
        pages = write_html(work / "pages", args.html)
        html_run = measured("rules", [pages], work / "html")
        check_all_written(html_run, args.html, "HTML pages")
        text_run = measured("rules", [write_jsonl(work / "same.jsonl", args.html)], work / "text")
        say(f"4. peak memory, {args.html:,} HTML pages vs the same as text",
            f"{html_run['peak_mb']:.0f} vs {text_run['peak_mb']:.0f} MB = "
            f"{html_run['peak_mb'] / text_run['peak_mb']:.2f}", "<= 1.0")
        # 5: start-up with a large folder
        added = write_jsonl(work / "added.jsonl", args.added, seed=10, first=large)
        into_large = measured(full, [added], large_out, fresh=False)  # into the folder figure 4 filled
        check_all_written(into_large, args.added, "added to the large folder")
        into_empty = measured(full, [added], work / "empty")
        load = measured("load", []) if not args.smoke else {"seconds": 0.0}
        say(f"5. run adding {args.added} articles to {large:,} (to an empty folder; model load)",
            f"{into_large['seconds']:.1f} s ({into_empty['seconds']:.1f} s; {load['seconds']:.1f} s)",
            f"<= 3 s + model load = {3 + load['seconds']:.1f} s")
        # 6: a re-run with nothing new reads its input, and cleans none of what the tables hold
        again = {name: measured("rules", inputs, out, fresh=False) for name, inputs, out in (
            ("small", [work / "small.jsonl"], work / "small"), ("large", [work / "large.jsonl"], large_out),
            ("html", [pages], work / "html"))}
        for name, result in again.items():
            if result["articles"]:
                raise SystemExit(f"re-run {name}: {result['articles']} articles written, none expected")
        say(f"6. re-run with nothing new: {small:,} vs {large:,} articles; {args.html:,} HTML pages (their first run)",
            f"{again['small']['seconds']:.1f} vs {again['large']['seconds']:.1f} s; {again['html']['seconds']:.1f} s "
            f"({html_run['seconds']:.1f} s)", "issue 9 found 5.2 s for 1,000 articles")
    print("\n| what | measured | target |\n| --- | --- | --- |")
    for what, value, target in lines:
        print(f"| {what} | {value} | {target} |")


if __name__ == "__main__":
    main()
