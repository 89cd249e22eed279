"""The main job: inputs → clean articles → spaCy → rows → Parquet, in committed batches.

Resumable and incremental: articles already in the output (by id) are skipped, so a re-run on
the same input writes nothing and an interrupted run continues where it stopped. Copies of an
article kept (same text, near copies) are skipped too, each with a row in `duplicates`.
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
from pipeline.dedupe.known import KnownArticles, load_known
from pipeline.extract import Categorizer, Rows, doc_to_rows
from pipeline.gazetteer import Gazetteer, load_gazetteer
from pipeline.nlp import build_nlp
from pipeline.records import Article, DuplicateRecord, ErrorRecord, RawRecord
from pipeline.rules import cached_rules
from pipeline.settings import Settings, load_settings
from pipeline.sources import iter_records
from pipeline.tables import COMMITTED, TABLES, exclusive, read_columns, write_batch

Reporter = Callable[[str], None]


@dataclass
class RunSummary:
    out: Path
    counts: dict[str, int] = field(default_factory=lambda: {t: 0 for t in TABLES})
    skipped_known: int = 0
    duplicates: int = 0  # copies this run skipped (rows in `duplicates`, written now or by an earlier run)
    failed: int = 0  # inputs this run could not use (rows in `errors`, now or earlier): exit status 1
    error_lines: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What this run saw: a re-run with a broken input or a copy still there says so again."""
        c = self.counts
        return [
            f"provnews: wrote {self.out}",
            f"  articles: {c['articles']} new, {self.skipped_known} already in the tables",
            f"  duplicates skipped: {self.duplicates} ({c['duplicates']} new rows in duplicates, "
            f"{self.duplicates - c['duplicates']} recorded before)",
            f"  inputs failed: {self.failed} ({c['errors']} new rows in errors, {self.failed - c['errors']} recorded before)",
            f"  communes: {c['communes']}  officials: {c['officials']}  difficulties: {c['difficulties']}  "
            f"recommendations: {c['recommendations']}  directions: {c['directions']}",
        ]


def _error_rows(errors: list[ErrorRecord]) -> list[dict]:
    return [{"source": e.source, "stage": e.stage, "message": e.message, "at": e.at} for e in errors]


def _duplicate_rows(copies: list[DuplicateRecord]) -> list[dict]:
    return [{"source": d.source, "url": d.url, "skipped_id": d.skipped_id, "kept_article_id": d.kept_article_id,
             "similarity": d.similarity, "reason": d.reason, "at": d.at} for d in copies]


Skipped = ErrorRecord | DuplicateRecord


def _batches(items: Iterator[Article | Skipped], size: int) -> Iterator[tuple[list[Article], list[Skipped]]]:
    articles: list[Article] = []
    skipped: list[Skipped] = []
    for item in items:
        (articles if isinstance(item, Article) else skipped).append(item)
        if len(articles) >= size or len(skipped) >= size * 10:
            yield articles, skipped
            articles, skipped = [], []
    if articles or skipped:
        yield articles, skipped


def clean_stream(records: Iterable[RawRecord | ErrorRecord], settings: Settings, known: KnownArticles,
                 summary: RunSummary) -> Iterator[Article | Skipped]:
    """Clean each record; skip known articles, and copies (with their duplicates row)."""
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
        verdict = known.see(article)
        if verdict.kind == "collision":
            summary.failed += 1
            yield ErrorRecord(record.source, "dedupe", f"id collision: article id {article.article_id!r} is "
                              "already used by an article with another text; give records unique ids")
        elif verdict.kind == "known":
            summary.skipped_known += 1
        elif verdict.copy is not None:
            summary.duplicates += 1
            yield verdict.copy
        else:
            yield article


def _settle_batch(articles: list[Article], rows: Rows, skipped: list[Skipped], known: KnownArticles,
                  summary: RunSummary) -> tuple[list[ErrorRecord], list[DuplicateRecord]]:
    """The batch's errors and new duplicates rows, once extraction has said which articles made it:
    one that failed is forgotten, and a copy of it is an input that failed as well."""
    written = {row["article_id"] for row in rows["articles"]}
    lost = {article.article_id for article in articles} - written
    for article in articles:
        if article.article_id in lost:
            known.forget(article)
    errors = [item for item in skipped if isinstance(item, ErrorRecord)]
    copies = []
    for copy in (item for item in skipped if isinstance(item, DuplicateRecord)):
        if copy.kept_article_id in lost:
            summary.duplicates -= 1
            summary.failed += 1
            errors.append(ErrorRecord(copy.source, "extract", f"a copy of article {copy.kept_article_id}, which "
                                      "could not be processed (see its own errors row)"))
        elif not known.is_recorded(copy):
            copies.append(copy)
    return errors, copies


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
    commits.check_usable(out, COMMITTED)  # a wrong --out is refused before the model loads
    summary = RunSummary(out=out)
    nlp = build_nlp(settings, rules_only=rules_only)
    gazetteer = load_gazetteer()
    categorize = Categorizer(rules)
    with exclusive(out) as snapshot:
        known = load_known(out, snapshot, settings.dedupe.threshold)
        errors_seen = read_columns(out, "errors", ["source", "stage", "message"], snapshot).to_pydict().values()
        seen_errors = {tuple(r) for r in zip(*errors_seen)}
        stream = clean_stream(iter_records(inputs), settings, known, summary)
        for articles, skipped in _batches(stream, settings.nlp.articles_per_part):
            rows, failed = _extract(nlp, articles, settings, categorize, gazetteer)
            summary.failed += len(failed)
            errors, copies = _settle_batch(articles, rows, skipped, known, summary)
            for error in errors + failed:
                summary.error_lines.append(f"{error.source}: {error.message}")
                if report:
                    report(f"skipped {error.source}: {error.message}")
            errors = [e for e in errors + failed if (e.source, e.stage, e.message) not in seen_errors]
            seen_errors |= {(e.source, e.stage, e.message) for e in errors}
            rows["errors"] = _error_rows(errors)
            rows["duplicates"] = _duplicate_rows(copies)
            rows["_minhash"] = known.signature_rows([row["article_id"] for row in rows["articles"]])
            if not any(rows.values()):
                continue
            write_batch(out, rows, settings.tables.compression)
            for table in TABLES:
                summary.counts[table] += len(rows[table])
            if report and rows["articles"]:  # the rows committed, not the articles tried (some may fail)
                n = len(rows["articles"])
                report(f"committed {n} article{'s' if n != 1 else ''} ({summary.counts['articles']} so far)")
        if known.has_unstored_signatures:  # signatures made at start-up, and nothing else was committed
            write_batch(out, {"_minhash": known.signature_rows([])}, settings.tables.compression)
    return summary
