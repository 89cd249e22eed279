"""The main job: inputs → clean articles → spaCy → rows → Parquet, in committed batches.

Resumable and incremental: articles already in the output (by id) are skipped, so a re-run on
the same input writes nothing and an interrupted run continues where it stopped. Copies of an
article kept (same text, near copies) are skipped too, each with a row in `duplicates`.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import commits
from pipeline.batch import processor
from pipeline.dedupe.hashed import HashedSet, batch_rows
from pipeline.dedupe.known import KnownArticles, load_known
from pipeline.engines import Engine, Pending, make_engine
from pipeline.extract import Rows
from pipeline.partitions import plan_partitions
from pipeline.progress import Progress
from pipeline.records import Article, DuplicateRecord, ErrorRecord, HeldRecord
from pipeline.rules import Rule, cached_rules, rules_fingerprint
from pipeline.settings import Settings, load_settings
from pipeline.tables import COMMITTED, TABLES, exclusive, last_made_with, scan_columns, write_batch

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
Done = tuple[Article, "Rows | ErrorRecord"]  # an article kept, with its rows (or why it has none)


def _batches(items: Iterator[Done | Skipped], size: int) -> Iterator[tuple[list[Done], list[Skipped]]]:
    articles: list[Done] = []
    skipped: list[Skipped] = []
    for item in items:
        (articles if isinstance(item, tuple) else skipped).append(item)
        if len(articles) >= size or len(skipped) >= size * 10:
            yield articles, skipped
            articles, skipped = [], []
    if articles or skipped:
        yield articles, skipped


def clean_stream(records: Iterable[Article | ErrorRecord | HeldRecord], known: KnownArticles,
                 summary: RunSummary) -> Iterator[Article | Skipped]:
    """Cleaned records (the engine's workers cleaned them), in order: known articles skipped
    (also the inputs not cleaned again, as an earlier run read them), copies skipped with their
    duplicates row, failures counted."""
    for article in records:
        if isinstance(article, HeldRecord):
            summary.skipped_known += 1
            continue
        if isinstance(article, ErrorRecord):
            summary.failed += 1
            yield article
            continue
        verdict = known.see(article)
        if verdict.kind == "collision":
            summary.failed += 1
            yield ErrorRecord(article.source, "dedupe", f"id collision: article id {article.article_id!r} is "
                              "already used by an article with another text; give records unique ids")
        elif verdict.kind == "known":
            summary.skipped_known += 1
        elif verdict.copy is not None:
            summary.duplicates += 1
            yield verdict.copy
        else:
            yield article


def _settle_batch(articles: list[Article], rows: Rows, skipped: list[Skipped], known: KnownArticles,
                  summary: RunSummary, lost_before: set[str]) -> tuple[list[ErrorRecord], list[DuplicateRecord]]:
    """The batch's errors and new duplicates rows, once extraction has said which articles made it:
    one that failed is forgotten, and a copy of it is an input that failed as well (also a copy
    taken in ahead of the failure, in a later batch: `lost_before`)."""
    written = {row["article_id"] for row in rows["articles"]}
    lost = {article.article_id for article in articles} - written
    for article in articles:
        if article.article_id in lost:
            known.forget(article)
    lost_before |= lost
    lost = lost_before
    errors = [item for item in skipped if isinstance(item, ErrorRecord)]
    copies = []
    for copy in (item for item in skipped if isinstance(item, DuplicateRecord)):
        if copy.kept_article_id in lost:
            summary.duplicates -= 1
            summary.failed += 1
            errors.append(ErrorRecord(copy.source, "extract", f"a copy of article {copy.kept_article_id}, which "
                                      "could not be processed (see its own errors row)"))
        elif known.record_copy(copy):
            copies.append(copy)
    return errors, copies


def _extracted(engine: Engine, partitions: Iterable, admit: Callable[[list], list]) -> Iterator[Done | Skipped]:
    """Every input in order: an article kept with its rows, or why it was skipped. Partitions
    are cleaned and extracted by the engine (ahead, in parallel); which articles are kept is
    decided here."""
    pending: deque[tuple[list[Article | Skipped], Pending]] = deque()
    for handle, cleaned in engine.clean(partitions):
        admitted = admit(cleaned)
        kept = {id(item) for item in admitted if isinstance(item, Article)}
        keep = [i for i, item in enumerate(cleaned) if id(item) in kept]
        pending.append((admitted, engine.extract(handle, cleaned, keep)))
        while len(pending) > engine.ahead:
            yield from _joined(*pending.popleft())
    while pending:
        yield from _joined(*pending.popleft())


def _joined(admitted: list[Article | Skipped], extracted: Pending) -> Iterator[Done | Skipped]:
    results = iter(extracted.result())
    for item in admitted:
        yield (item, next(results)) if isinstance(item, Article) else item


def _batch_rows(done: list[Done]) -> tuple[Rows, list[ErrorRecord]]:
    rows: Rows = {t: [] for t in TABLES}
    failed: list[ErrorRecord] = []
    for _, result in done:
        if isinstance(result, ErrorRecord):
            failed.append(result)
            continue
        for table, table_rows in result.items():
            rows[table].extend(table_rows)
    return rows, failed


def report_left_out(rules: list[Rule], report: Reporter) -> None:
    """Say which rules a run without the model cannot use, so fewer rows are no surprise."""
    if rules:
        named = ", ".join(f"{r.path}: {r.id} ({', '.join(sorted(r.model_attributes()))})" for r in rules)
        report(f"note: --rules-only leaves out {len(rules)} rule(s) that read what only the model sets: {named}")


def run(inputs: Iterable[str | Path], out: str | Path, settings: Settings | None = None,
        rules_only: bool = False, report: Reporter | None = None, engine: str | None = None,
        scheduler: str | None = None, progress: bool | None = None) -> RunSummary:
    """Process inputs into the tables under `out`; return what was written. `engine`: "local"
    (this process, or [nlp] n_process worker processes) or "dask" (the cluster at `scheduler`,
    else one on this machine); default [engine] of the settings. `progress`: a bar on stderr
    (default: when stderr is a terminal)."""
    settings = settings or load_settings()
    engine = engine or settings.engine.name
    scheduler = scheduler or settings.engine.scheduler or None
    out = Path(out)
    rules = cached_rules(str(settings.rules_dir))
    commits.check_usable(out, COMMITTED)  # a wrong --out is refused before the model loads
    if rules_only and report:
        report_left_out(rules.needing_model(), report)
    summary = RunSummary(out=out)
    if engine == "local":
        processor(settings, rules_only)  # the model loads (or fails) here; forked workers share it
    runner = make_engine(engine, settings, rules_only, scheduler)  # a bad scheduler is refused before `out` is touched
    try:
        with exclusive(out) as snapshot:
            made_with = {"provnews_rules": rules_fingerprint(settings.rules_dir),
                         "provnews_model": "rules-only" if rules_only else settings.nlp.model}
            before = last_made_with(out, snapshot)
            if before and before != made_with and report:
                report(f"note: {out} holds rows made with rules {before.get('provnews_rules')} and model "
                       f"{before.get('provnews_model')}; this run adds rows made with rules "
                       f"{made_with['provnews_rules']} and model {made_with['provnews_model']} (each part file "
                       "records its own; give a new --out to keep them apart)")
            known = load_known(out, snapshot, settings.dedupe.threshold)
            runner.hold(known.held)  # before the first partition: the inputs its workers need not clean
            seen_errors = HashedSet(batch_rows(scan_columns(out, "errors", ["source", "stage", "message"], snapshot)))
            lost: set[str] = set()
            partitions = plan_partitions(inputs, settings.engine.partition_bytes)
            with Progress(partitions, progress, report, lambda: summary.failed, lambda: summary.skipped_known) as bar:
                stream = bar.counted(_extracted(runner, bar.partitions, lambda cleaned: list(
                    clean_stream(cleaned, known, summary))))
                for done, skipped in _batches(stream, settings.nlp.articles_per_part):
                    articles = [article for article, _ in done]
                    rows, failed = _batch_rows(done)
                    summary.failed += len(failed)
                    errors, copies = _settle_batch(articles, rows, skipped, known, summary, lost)
                    for error in errors + failed:
                        summary.error_lines.append(f"{error.source}: {error.message}")
                        bar.say(f"skipped {error.source}: {error.message}")
                    errors = [e for e in errors + failed if (e.source, e.stage, e.message) not in seen_errors]
                    for e in errors:
                        seen_errors.add((e.source, e.stage, e.message))
                    rows["errors"] = _error_rows(errors)
                    rows["duplicates"] = _duplicate_rows(copies)
                    rows["_minhash"] = known.signature_rows([row["article_id"] for row in rows["articles"]])
                    if not any(rows.values()):
                        continue
                    known.settle(write_batch(out, rows, settings.tables.compression, made_with), rows["_minhash"])
                    for table in TABLES:
                        summary.counts[table] += len(rows[table])
                    if rows["articles"]:  # the rows committed, not the articles tried (some may fail)
                        n = len(rows["articles"])
                        bar.say(f"committed {n} article{'s' if n != 1 else ''} ({summary.counts['articles']} so far)")
            if known.has_unstored_signatures:  # signatures made at start-up, and nothing else was committed
                write_batch(out, {"_minhash": known.signature_rows([])}, settings.tables.compression, made_with)
    finally:
        runner.close()
    return summary
