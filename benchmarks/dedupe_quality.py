"""How well the duplicate index separates copies from different articles, per threshold.

usage: python benchmarks/dedupe_quality.py [ARTICLES.jsonl ...] [--seed N]

Default input: the fresh corpus (tests/corpus/fresh, 60 articles) and the shared corpus
(../shared/corpus, 48) when present: real, distinct articles, several about the same
province, commune or meeting. From each article it makes copies as republishers make them
(positives) and articles that only share a passage with it (negatives); every query goes
through the real index (MinHash LSH, then the similarity check), as `provnews run` does.

* copies: a headline and dateline added; a photo caption and a "Related news" line added;
  2 % of the words changed (typos, numbers); the last paragraph dropped; all four at once;
  paragraphs shuffled plus one new paragraph (the case of issue 8, reported apart: a
  rewrite more than a copy).
* different articles: every other real article (an index of the others, each queried);
  another article with two paragraphs of this one pasted in (the same lede and quote: two
  reports of one meeting); the same text with every name and number replaced (one press
  release template used for another commune and official).
"""
from __future__ import annotations

import argparse
import json
import random
import re
from collections import defaultdict
from pathlib import Path

from pipeline.dedupe.index import DuplicateIndex
from pipeline.dedupe.minhash import signature

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUTS = [ROOT / "tests" / "corpus" / "fresh" / "articles.jsonl", ROOT.parent / "shared" / "corpus" / "articles.jsonl"]
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
COPY_KINDS = ("headline", "caption", "word edits", "last paragraph dropped", "all four")
REWRITE = "shuffled + new paragraph"
PASTED = "another article + lede and a paragraph of this one"
TEMPLATE = "same template, other names and numbers"
NEGATIVES = ("another real article", PASTED, TEMPLATE)


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def _edit_words(text: str, rng: random.Random, share: float) -> str:
    words = text.split(" ")
    for i in rng.sample(range(len(words)), max(1, int(len(words) * share))):
        word = words[i]
        words[i] = str(rng.randint(2, 999)) if word.isdigit() else (word[:-1] if len(word) > 3 else word + "s")
    return " ".join(words)


def _rename(text: str, rng: random.Random) -> str:
    """Every capitalised word (names of people, communes, bodies) and number replaced."""
    names = ["Hoa", "Binh", "Tan", "Phu", "Minh", "Long", "Son", "Thanh", "Quang", "Trung", "Nam", "Duc", "Lam"]
    return re.sub(r"\b(?:[A-Z][a-z]+|\d+)\b",
                  lambda m: str(rng.randint(2, 999)) if m.group(0).isdigit() else rng.choice(names), text)


def copies(text: str, other: str, rng: random.Random) -> dict[str, str]:
    """Republished copies of `text` (and the rewrite); `other` lends a paragraph as new text."""
    paragraphs = _paragraphs(text)
    headline = "Provincial leaders work with the commune on the two-level government model"
    caption = "Delegates at the working session. Photo: Provincial newspaper"
    with_caption = paragraphs[:]
    with_caption.insert(rng.randint(1, max(1, len(paragraphs) - 1)), caption)
    with_caption.append("Related news: Commune leaders review the first month of operation")
    shuffled = paragraphs[:]
    rng.shuffle(shuffled)
    shuffled.insert(rng.randint(0, len(shuffled)), rng.choice(_paragraphs(other)))
    dropped = paragraphs[:-1] if len(paragraphs) > 2 else paragraphs
    return {
        "headline": f"{headline}\nHANOI — {text}",
        "caption": "\n".join(with_caption),
        "word edits": _edit_words(text, rng, 0.02),
        "last paragraph dropped": "\n".join(dropped),
        "all four": f"{headline}\n" + _edit_words("\n".join(with_caption[:-2] if len(with_caption) > 3 else with_caption), rng, 0.02),
        REWRITE: "\n".join(shuffled),
    }


def measure(texts: dict[str, str], seed: int = 8) -> dict[float, dict[str, tuple[int, int]]]:
    """threshold -> kind -> (flagged as a duplicate, queries)."""
    rng = random.Random(seed)
    ids = sorted(texts)
    signatures = {i: signature(texts[i]) for i in ids}
    queries: list[tuple[str, str | None, str]] = []  # (kind, the article it copies or None, text)
    pasted: list[tuple[str, str]] = []
    for i in ids:
        other = rng.choice([j for j in ids if j != i])
        queries += [(kind, i, copy) for kind, copy in copies(texts[i], texts[other], rng).items()]
        shared = _paragraphs(texts[i])[:1] + rng.sample(_paragraphs(texts[i]), 1)
        pasted.append((other, "\n".join(shared[:1] + _paragraphs(texts[other]) + shared[1:])))
        queries.append((TEMPLATE, None, _rename(texts[i], rng)))
    results: dict[float, dict[str, list[int]]] = {}
    for threshold in THRESHOLDS:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        index = DuplicateIndex(threshold)
        for i in ids:
            index.add(i, "", signatures[i])
        for kind, original, text in queries:
            match = index.near_copy(signature(text))
            counts[kind][0] += match is not None and (original is None or match.kept_article_id == original)
            counts[kind][1] += 1
        for i in ids:  # each real article against all the others
            index.remove(i, "")
            counts["another real article"][0] += index.near_copy(signatures[i]) is not None
            counts["another real article"][1] += 1
            index.add(i, "", signatures[i])
        for owner, text in pasted:  # another article with a paragraph of this one, its own original left out
            index.remove(owner, "")
            counts[PASTED][0] += index.near_copy(signature(text)) is not None
            counts[PASTED][1] += 1
            index.add(owner, "", signatures[owner])
        results[threshold] = {kind: (found, total) for kind, (found, total) in counts.items()}
    return results


def closest_pair(texts: dict[str, str]) -> tuple[float, str, str]:
    """The most similar two different real articles (exact MinHash estimate, no LSH)."""
    from pipeline.dedupe.minhash import similarity

    ids = sorted(texts)
    signatures = {i: signature(texts[i]) for i in ids}
    return max((similarity(signatures[a], signatures[b]), a, b) for n, a in enumerate(ids) for b in ids[n + 1:])


def load(paths: list[Path]) -> dict[str, str]:
    texts = {}
    for path in paths:
        for line in path.read_text("utf-8").splitlines():
            record = json.loads(line)
            texts[record["id"]] = record["text"]
    return texts


def report(results: dict[float, dict[str, tuple[int, int]]]) -> list[str]:
    kinds = [*COPY_KINDS, REWRITE, *NEGATIVES]
    lines = ["threshold | " + " | ".join(kinds) + " | recall (copies) | precision"]
    for threshold, counts in results.items():
        found = sum(counts[k][0] for k in COPY_KINDS)
        wrong = sum(counts[k][0] for k in NEGATIVES)
        cells = [f"{counts[k][0]}/{counts[k][1]}" for k in kinds]
        recall = found / sum(counts[k][1] for k in COPY_KINDS)
        precision = found / (found + wrong) if found + wrong else 1.0
        lines.append(f"{threshold} | " + " | ".join(cells) + f" | {recall:.3f} | {precision:.3f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="*", type=Path)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    paths = args.inputs or [p for p in DEFAULT_INPUTS if p.exists()]
    texts = load(paths)
    print(f"{len(texts)} articles from {', '.join(str(p) for p in paths)}")
    print("\n".join(report(measure(texts, args.seed))))
    score, a, b = closest_pair(texts)
    print(f"closest two different articles: {a} and {b}, similarity {score:.3f}")


if __name__ == "__main__":
    main()
