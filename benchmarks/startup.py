"""Start-up of a run that adds a few articles to a large tables folder.

usage: python benchmarks/startup.py [--articles 20000] [--new 10] [--folder DIR]

Builds (once, kept in --folder) a tables folder of N articles written directly through the
tables' own commits (500 articles a batch, their MinHash signatures committed with them):
random texts of ~2,000 characters from the words of the sample articles, as long as the
corpus articles. Then, in fresh processes:

* what a run reads before its first article: the ids and text hashes of `articles`, the stored
  signatures into the LSH index, the recorded duplicates (`load_known`), against the old way
  (every stored text read and signed again);
* `provnews run NEW.jsonl --rules-only` adding --new articles, whole, and its imports and
  model/gazetteer loading alone.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS_FROM = ROOT / "tests" / "corpus" / "fresh" / "articles.jsonl"


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = " ".join(json.loads(line)["text"] for line in WORDS_FROM.read_text("utf-8").splitlines()).split()
    return [" ".join(rng.choices(words, k=330)) + "." for _ in range(n)]


def build(folder: Path, n: int) -> None:
    from pipeline.clean import text_hash
    from pipeline.dedupe.minhash import signature
    from pipeline.tables import exclusive, write_batch

    texts = _texts(n, seed=1)
    with exclusive(folder):
        for start in range(0, n, 500):
            batch = [(f"bench-{i:06d}", texts[i]) for i in range(start, min(n, start + 500))]
            rows = {
                "articles": [{"article_id": i, "text": t, "n_chars": len(t), "text_hash": text_hash(t), "language": "en",
                              "source": "benchmark"} for i, t in batch],
                "_minhash": [{"article_id": i, "signature": signature(t), "text_hash": text_hash(t)} for i, t in batch],
            }
            write_batch(folder, rows)


LOAD_KNOWN = """
import resource, sys, time
from pathlib import Path
started = time.perf_counter()
from pipeline import commits
from pipeline.dedupe.known import load_known
from pipeline.tables import COMMITTED
imported = time.perf_counter()
out = Path(sys.argv[1])
snapshot = commits.verify(out, COMMITTED)
verified = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
known = load_known(out, snapshot, 0.6)
loaded = time.perf_counter()
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) / 1024  # kB on Linux
assert len(known) == len(known.index) and not known.unstored
print(f"{imported - started:.2f} {verified - imported:.2f} {loaded - verified:.2f} {len(known)} {grown:.0f}")
"""

REBUILD = """
import sys, time
from pathlib import Path
from pipeline import commits
from pipeline.dedupe.index import DuplicateIndex
from pipeline.dedupe.minhash import signature
from pipeline.tables import COMMITTED, scan_columns
out = Path(sys.argv[1])
started = time.perf_counter()
index = DuplicateIndex(0.6)
for batch in scan_columns(out, "articles", ["article_id", "text_hash", "text"], commits.verify(out, COMMITTED)):
    for article_id, text_hash, text in zip(*(batch.column(i).to_pylist() for i in range(3))):
        index.add(article_id, text_hash, signature(text))
print(f"{time.perf_counter() - started:.2f}")
"""

MODEL_ONLY = """
import time
started = time.perf_counter()
from pipeline.nlp import build_nlp
from pipeline.gazetteer import load_gazetteer
from pipeline.rules import cached_rules
from pipeline.run import run
from pipeline.settings import load_settings
from pipeline.extract import Readers
settings = load_settings()
build_nlp(settings, rules_only=True)
Readers.from_rules(cached_rules(str(settings.rules_dir)), load_gazetteer())
print(f"{time.perf_counter() - started:.2f}")
"""


def _python(code: str, *args: str) -> str:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True,
                          cwd=ROOT).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--new", type=int, default=10)
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "provnews-startup-bench")
    args = parser.parse_args()
    out = args.folder / f"tables-{args.articles}"
    if not (out / ".provnews" / "current").exists():
        started = time.perf_counter()
        build(out, args.articles)
        print(f"built {out} ({args.articles:,} articles) in {time.perf_counter() - started:.1f} s")
    imports, verify, known, count, grown = _python(LOAD_KNOWN, str(out)).split()
    print(f"load_known on {int(count):,} articles: {float(known):.2f} s, peak memory +{grown} MB "
          f"(verify the snapshot {verify} s; imports {imports} s)")
    print(f"the old way, every stored text read and signed again: {_python(REBUILD, str(out))} s")
    print(f"imports, rules-only pipeline, rules and gazetteer alone: {_python(MODEL_ONLY)} s")
    for attempt in range(2):
        copy = args.folder / f"run-{attempt}"
        subprocess.run(["rm", "-rf", str(copy)], check=True)
        subprocess.run(["cp", "-a", str(out), str(copy)], check=True)
        new = args.folder / "new.jsonl"
        new.write_text("".join(json.dumps({"id": f"new-{attempt}-{i}", "text": t}) + "\n"
                               for i, t in enumerate(_texts(args.new, seed=100 + attempt))), encoding="utf-8")
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "pipeline", "run", str(new), "--out", str(copy), "--rules-only"],
                                capture_output=True, text=True, cwd=ROOT)
        elapsed = time.perf_counter() - started
        assert result.returncode == 0 and f"articles: {args.new} new" in result.stdout, result.stderr
        print(f"provnews run adding {args.new} articles to {args.articles:,} (--rules-only), whole: {elapsed:.2f} s")


if __name__ == "__main__":
    main()
