"""The work of one batch, the same in every engine (this process, worker processes, Dask
workers): read and clean a partition of the input; turn cleaned articles into table rows.

Each process builds the spaCy pipeline, the gazetteer and the rules once (`processor`), on its
first batch: nothing heavy is ever sent along with a batch.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.chunks import merge_pieces, text_pieces
from pipeline.clean import CleanError, clean_record, host_of, raw_hash
from pipeline.dedupe.hashed import SortedHashes
from pipeline.extract import Readers, Rows, doc_to_rows
from pipeline.gazetteer import load_gazetteer
from pipeline.nlp import build_nlp
from pipeline.partitions import Partition, read_partition
from pipeline.records import Article, ErrorRecord, HeldRecord
from pipeline.rules import cached_rules
from pipeline.settings import Settings

# A Dask worker may run tasks in threads: one pipeline per process, built once (_LOADING), and
# used by one batch at a time (_EXTRACTING): spaCy's memory zones are process-wide, so two
# batches in threads would free each other's strings.
_LOADING = threading.Lock()
_EXTRACTING = threading.Lock()
WARM_ARTICLES = 500


@dataclass
class Processor:
    nlp: Language
    readers: Readers
    articles: int = 0  # extracted by this process so far


@lru_cache(maxsize=2)
def _processor(settings: Settings, rules_only: bool) -> Processor:
    rules = cached_rules(str(settings.rules_dir))
    return Processor(build_nlp(settings, rules_only=rules_only), Readers.from_rules(rules, load_gazetteer()))


def processor(settings: Settings, rules_only: bool) -> Processor:
    """This process's pipeline for these settings, built on first use."""
    with _LOADING:
        return _processor(settings, rules_only)


Cleaned = list[Article | ErrorRecord | HeldRecord]


def clean_partition(partition: Partition, settings: Settings, sign: bool = True,
                    held: SortedHashes | None = None) -> Cleaned:
    """Read a partition and clean its records: an article, or an error saying why there is none.
    `sign`: as `clean_record`'s (workers sign; the process that decides duplicates need not).
    `held`: the `raw_hash`es of the records an earlier run made articles from; such a record is
    not cleaned again (a `HeldRecord`): a re-run over a growing raw store costs a hash per page
    it has seen, not trafilatura's extraction."""
    cleaned: Cleaned = []
    for record in read_partition(partition):
        if isinstance(record, ErrorRecord):
            cleaned.append(record)
            continue
        raw = raw_hash(record)
        if held is not None and raw in held:
            cleaned.append(HeldRecord(record.source))
            continue
        try:
            cleaned.append(clean_record(record, settings.clean, sign, raw))
        except CleanError as exc:
            cleaned.append(ErrorRecord(record.source, "clean", str(exc)))
    return cleaned


def extract_articles(articles: list[Article], settings: Settings, rules_only: bool) -> list[Rows | ErrorRecord]:
    """Rows of each article, in order; an article the pipeline cannot process becomes an error,
    not a crash. A long article goes through the model in pieces (`pipeline.chunks`)."""
    if not articles:
        return []
    with _EXTRACTING:
        return _extract(articles, settings, rules_only)


def _extract(articles: list[Article], settings: Settings, rules_only: bool) -> list[Rows | ErrorRecord]:
    work = processor(settings, rules_only)
    nlp = work.nlp
    limit = min(settings.nlp.chunk_chars, nlp.max_length)
    plan = [(index, start, end) for index, article in enumerate(articles)
            for start, end in text_pieces(article.text, limit)]

    def doc(index: int, start: int, end: int) -> Doc:
        article = articles[index]
        piece = nlp.make_doc(article.text[start:end])
        piece._.provnews_hosts = [article.site, host_of(article.url), host_of(article.source_url)]
        piece._.provnews_published = article.published
        piece._.provnews_title = article.title
        piece._.provnews_url = article.url
        return piece

    def piece_rows(step: tuple[int, int, int], piece: Doc) -> tuple[int, Rows]:
        return step[1], doc_to_rows(articles[step[0]], piece, work.readers)

    longest = max(end - start for _, start, end in plan)
    batch_size = max(1, min(settings.nlp.batch_size, settings.nlp.batch_chars // longest))  # bounds memory
    # Words first seen in a batch (names, numbers) leave the vocabulary with it, so memory does
    # not grow with the archive; no Doc outlives the zone (rows are plain values). The first
    # articles of a process fill the vocabulary and the tokenizer's cache for good: inside a
    # zone a word new to them is tokenized afresh at every sight (10x the tokenizer's time
    # when all words are new).
    zone = nlp.memory_zone() if work.articles >= WARM_ARTICLES else nullcontext()
    work.articles += len(articles)
    with zone:
        try:
            by_article: dict[int, list[tuple[int, Rows]]] = defaultdict(list)
            for step, piece in zip(plan, nlp.pipe((doc(*step) for step in plan), batch_size=batch_size)):
                by_article[step[0]].append(piece_rows(step, piece))  # rows at once: a batch of Docs at most
            return [merge_pieces(by_article[index], work.readers.offices) for index in range(len(articles))]
        except Exception:  # one bad article must not sink the batch: redo it one article at a time
            results: list[Rows | ErrorRecord] = []
            for index, article in enumerate(articles):
                try:
                    results.append(merge_pieces([piece_rows(step, nlp(doc(*step))) for step in plan if step[0] == index],
                                                work.readers.offices))
                except Exception as exc:
                    results.append(ErrorRecord(article.source, "extract", f"{type(exc).__name__}: {exc}"))
            return results


def extract_kept(cleaned: Cleaned, keep: list[int], settings: Settings,
                 rules_only: bool) -> list[Rows | ErrorRecord]:
    """`extract_articles` of some articles of a cleaned partition (where it already is: Dask)."""
    return extract_articles([cleaned[i] for i in keep], settings, rules_only)
