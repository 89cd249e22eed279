"""N distinct articles built from the real corpus, for the benchmarks.

Each article takes its headline and paragraphs from random articles of the corpus (seeded) and
every line ends with a short sentence of its own ("Update 12/3."), so no two articles share a
text, a paragraph or most of their shingles: the duplicate check keeps every one of them, and
the work per article is that of real provincial news.
"""
from __future__ import annotations

import html
import json
import random
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (ROOT.parent / "shared" / "corpus" / "articles.jsonl", ROOT / "tests" / "corpus" / "fresh" / "articles.jsonl")


def corpus_records(sources: tuple[Path, ...] = SOURCES) -> list[dict]:
    records = [json.loads(line) for path in sources if path.exists() for line in path.open(encoding="utf-8")]
    if not records:
        raise SystemExit(f"no corpus found: {', '.join(map(str, sources))}")
    return records


def varied_articles(n: int, seed: int = 9, sources: tuple[Path, ...] = SOURCES, first: int = 0) -> Iterator[dict]:
    """n records (`id`, `url`, `title`, `date`, `text`) shaped like the corpus articles, numbered
    from `first` (articles of different numbers never share a line)."""
    from pipeline.clean import detect_language  # English lines only: some pages carry their site's Vietnamese chrome

    records = corpus_records(sources)
    paragraphs = [line for r in records for line in r["text"].split("\n")[1:]
                  if len(line.split()) >= 8 and detect_language(line) == "en"]
    headlines = [r["text"].split("\n")[0] for r in records if detect_language(r["text"].split("\n")[0]) == "en"]
    rng = random.Random(seed)
    for i in range(first, first + n):
        model = records[i % len(records)]  # the length and the metadata of a real article
        size = max(1, sum(1 for line in model["text"].split("\n")[1:] if line.strip()))
        # A headline stays a line without a full stop; body paragraphs are separated as in the corpus.
        lines = [f"{rng.choice(headlines).rstrip()} ({i})"]
        lines += [f"{rng.choice(paragraphs).rstrip()} Update {i}/{p}." for p in range(size)]
        text = "\n\n".join(lines) if "\n\n" in model["text"] else "\n".join(lines)
        yield {"id": f"bench-{i:07d}", "url": f"{model['url'].rstrip('/')}-{i}", "title": model.get("title"),
               "date": model.get("date"), "text": text}


def write_jsonl(path: Path, n: int, seed: int = 9, first: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for record in varied_articles(n, seed, first=first):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def as_html(record: dict) -> str:
    """A news page around the article: navigation, headline, paragraphs, footer."""
    headline, *body = record["text"].split("\n")
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in body)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(headline)}</title>"
            f"<link rel=\"canonical\" href=\"{html.escape(record['url'])}\">"
            f"<meta property=\"article:published_time\" content=\"{record.get('date') or ''}\"></head><body>"
            "<nav><a href=\"/\">Home</a> <a href=\"/politics\">Politics</a> <a href=\"/society\">Society</a></nav>"
            f"<article><h1>{html.escape(headline)}</h1>{paragraphs}</article>"
            "<footer>Provincial newspaper. All rights reserved.</footer></body></html>")


def write_html(folder: Path, n: int, seed: int = 9) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for record in varied_articles(n, seed):
        (folder / f"{record['id']}.html").write_text(as_html(record), encoding="utf-8")
    return folder
