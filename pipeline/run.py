"""The main job: inputs → clean articles → spaCy → rows → Parquet, in committed batches.

Resumable and incremental: articles already in the output (by id or by text) are skipped, so
a re-run on the same input writes nothing and an interrupted run continues where it stopped.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from pipeline import commits
from pipeline.chunks import merge_pieces, text_pieces
from pipeline.clean import CleanError, clean_record, host_of
from pipeline.dedupe import DuplicateIndex
from pipeline.extract import Categorizer, Rows, doc_to_rows
from pipeline.gazetteer import Gazetteer, load_gazetteer
from pipeline.nlp import build_nlp
from pipeline.records import Article, ErrorRecord, RawRecord
from pipeline.rules import cached_rules
from pipeline.settings import Settings, load_settings
from pipeline.sources import iter_records
from pipeline.tables import TABLES, exclusive, read_columns, scan_columns, write_batch

Reporter = Callable[[str], None]


@dataclass
class RunSummary:
    out: Path
    counts: dict[str, int] = field(default_factory=lambda: {t: 0 for t in TABLES})
    skipped_known: int = 0
    duplicates: int = 0
    failed: int = 0  # inputs this run could not use (also those already in `errors`): exit status 1
    error_lines: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        c = self.counts
        return [
            f"provnews: wrote {self.out}",
            f"  articles: {c['articles']} new ({self.skipped_known} already processed, {self.duplicates} duplicates kept once)",
            f"  communes: {c['communes']}  officials: {c['officials']}  difficulties: {c['difficulties']}  "
            f"recommendations: {c['recommendations']}  directions: {c['directions']}",
            f"  errors: {c['errors']} new rows; inputs that failed in this run: {self.failed}",
        ]


def _error_rows(errors: list[ErrorRecord]) -> list[dict]:
    return [{"source": e.source, "stage": e.stage, "message": e.message, "at": e.at} for e in errors]


def _batches(items: Iterator[Article | ErrorRecord], size: int) -> Iterator[tuple[list[Article], list[ErrorRecord]]]:
    articles: list[Article] = []
    errors: list[ErrorRecord] = []
    for item in items:
        (errors if isinstance(item, ErrorRecord) else articles).append(item)
        if len(articles) >= size or len(errors) >= size * 10:
            yield articles, errors
            articles, errors = [], []
    if articles or errors:
        yield articles, errors


def clean_stream(records: Iterable[RawRecord | ErrorRecord], settings: Settings, known_ids: dict[str, str],
                 seen: DuplicateIndex, summary: RunSummary) -> Iterator[Article | ErrorRecord]:
    """Clean each record; drop known articles and duplicates (same words) with a reason."""
    for record in records:
        if isinstance(record, ErrorRecord):
            summary.failed += 1
            yield record
            continue
        try:
            article = clean_record(record, settings.clean)
        except CleanError as exc:
            summary.failed += 1
            yield ErrorRecord(record.source, "clean", str(exc))
            continue
        if article.article_id in known_ids:
            if known_ids[article.article_id] != article.text_hash:
                summary.failed += 1
                yield ErrorRecord(record.source, "dedupe", f"id collision: article id {article.article_id!r} is "
                                  "already used by an article with another text; give records unique ids")
            else:
                summary.skipped_known += 1
            continue
        duplicate = seen.duplicate_of(article.text_hash, article.text)
        if duplicate is not None:
            summary.duplicates += 1
            yield ErrorRecord(record.source, "dedupe", f"duplicate of article {duplicate[0]} ({duplicate[1]})")
            continue
        known_ids[article.article_id] = article.text_hash
        seen.add(article.article_id, article.text_hash, article.text)
        yield article


def _known_articles(out: Path, snapshot: commits.Snapshot) -> tuple[dict[str, str], DuplicateIndex]:
    """Ids (with their text hash) and paragraphs of the articles already in the tables."""
    known_ids: dict[str, str] = {}
    seen = DuplicateIndex()
    for batch in scan_columns(out, "articles", ["article_id", "text_hash", "text"], snapshot):
        for article_id, text_hash, text in zip(*(batch.column(i).to_pylist() for i in range(3))):
            known_ids[article_id] = text_hash
            seen.add(article_id, text_hash, text)
    return known_ids, seen


def _extract(nlp: Language, articles: list[Article], settings: Settings, categorize: Categorizer,
             gazetteer: Gazetteer) -> tuple[Rows, list[ErrorRecord]]:
    """Rows of a batch; an article the pipeline cannot process becomes an error, not a crash.
    A long article goes through the model in pieces (`pipeline.chunks`), so no text is too long."""
    rows: Rows = {t: [] for t in TABLES}
    errors: list[ErrorRecord] = []
    limit = min(settings.nlp.chunk_chars, nlp.max_length)
    plan = [(index, start, end) for index, article in enumerate(articles)
            for start, end in text_pieces(article.text, limit)]

    def doc(index: int, start: int, end: int):
        article = articles[index]
        piece = nlp.make_doc(article.text[start:end])
        piece._.provnews_hosts = [article.site, host_of(article.url), host_of(article.source_url)]
        piece._.provnews_published = article.published
        return piece

    def piece_rows(step: tuple[int, int, int], piece) -> tuple[int, Rows]:
        return step[1], doc_to_rows(articles[step[0]], piece, categorize, gazetteer)

    longest = max((end - start for _, start, end in plan), default=1)
    batch_size = max(1, min(settings.nlp.batch_size, settings.nlp.batch_chars // longest))  # bounds memory
    try:
        n_process = settings.nlp.n_process or -1
        done = nlp.pipe((doc(*step) for step in plan), batch_size=batch_size, n_process=n_process)
        by_article: dict[int, list[tuple[int, Rows]]] = defaultdict(list)
        for step, piece in zip(plan, done):  # rows at once: no more than a batch of Docs is held
            by_article[step[0]].append(piece_rows(step, piece))
        per_article = [merge_pieces(by_article[index]) for index in range(len(articles))]
    except Exception:  # one bad article must not sink the batch: redo it one article at a time
        per_article = []
        for index, article in enumerate(articles):
            try:
                per_article.append(merge_pieces([piece_rows(step, nlp(doc(*step))) for step in plan
                                                 if step[0] == index]))
            except Exception as exc:
                errors.append(ErrorRecord(article.source, "extract", f"{type(exc).__name__}: {exc}"))
    for article_rows in per_article:
        for table, table_rows in article_rows.items():
            rows[table].extend(table_rows)
    return rows, errors


def run(inputs: Iterable[str | Path], out: str | Path, settings: Settings | None = None,
        rules_only: bool = False, report: Reporter | None = None) -> RunSummary:
    """Process inputs into the tables under `out`; return what was written."""
    settings = settings or load_settings()
    out = Path(out)
    rules = cached_rules(str(settings.rules_dir))
    commits.check_usable(out, TABLES)  # a wrong --out is refused before the model loads
    summary = RunSummary(out=out)
    nlp = build_nlp(settings, rules_only=rules_only)
    gazetteer = load_gazetteer()
    categorize = Categorizer(rules)
    with exclusive(out) as snapshot:
        known_ids, seen = _known_articles(out, snapshot)
        errors_seen = read_columns(out, "errors", ["source", "stage", "message"], snapshot).to_pydict().values()
        seen_errors = {tuple(r) for r in zip(*errors_seen)}
        stream = clean_stream(iter_records(inputs), settings, known_ids, seen, summary)
        for articles, errors in _batches(stream, settings.nlp.articles_per_part):
            rows, failed = _extract(nlp, articles, settings, categorize, gazetteer)
            summary.failed += len(failed)
            errors = [e for e in errors + failed if (e.source, e.stage, e.message) not in seen_errors]
            seen_errors |= {(e.source, e.stage, e.message) for e in errors}
            rows["errors"] = _error_rows(errors)
            for error in errors:
                summary.error_lines.append(f"{error.source}: {error.message}")
                if report:
                    report(f"skipped {error.source}: {error.message}")
            if not articles and not errors:
                continue
            write_batch(out, rows, settings.tables.compression)
            for table in TABLES:
                summary.counts[table] += len(rows[table])
            if report and articles:
                report(f"committed {len(articles)} articles ({summary.counts['articles']} so far)")
    return summary
