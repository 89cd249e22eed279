"""Duplicates: copies are skipped inputs with a row each in `duplicates` (not errors), found by
MinHash LSH with the [dedupe] threshold, whose index is stored with the tables."""
from __future__ import annotations

import importlib.util
import json
import random
import tracemalloc

import numpy as np
import pyarrow.parquet as pq
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH

from pipeline import commits
from pipeline.dedupe import index as index_module
from pipeline.dedupe import known as known_module
from pipeline.dedupe.hashed import stable_hashes
from pipeline.dedupe.index import DuplicateIndex, Match
from pipeline.dedupe.known import load_known
from pipeline.dedupe.bands import band_layout
from pipeline.dedupe.minhash import FINGERPRINT, NUM_PERM, SCHEME, SEED, shingles, signature, similarity
from pipeline.errors import ConfigError
from pipeline.records import Article
from pipeline.run import run
from pipeline.settings import load_settings
from pipeline.tables import (COMMITTED, SCHEMAS, TABLES, load_tables, read_columns, read_signatures,
                             to_arrow, write_batch, exclusive)

from conftest import FRESH, RAW, ROOT


def _quality_benchmark():
    spec = importlib.util.spec_from_file_location("dedupe_quality", ROOT / "benchmarks" / "dedupe_quality.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_copies_are_caught_and_different_articles_are_not(settings):
    """The README's figures, on the 60 fresh articles at the default threshold."""
    quality = _quality_benchmark()
    texts = quality.load([FRESH / "articles.jsonl"])
    counts = quality.measure(texts)[settings.dedupe.threshold]
    for kind in ("headline", "caption", "word edits"):
        assert counts[kind] == (60, 60), kind
    assert counts["last paragraph dropped"][0] >= 57
    for kind in quality.NEGATIVES:
        assert counts[kind] == (0, 60), kind
    assert quality.closest_pair(texts)[0] < 0.1


def lean(hashvalues: np.ndarray) -> LeanMinHash:
    """A signature as the object datasketch's own LSH index takes."""
    return LeanMinHash(seed=SEED, hashvalues=hashvalues, scheme=SCHEME)


def test_signatures_are_datasketchs():
    """Our numpy MinHash gives datasketch's values bit for bit (stored signatures stay valid),
    on the fresh texts, a one-word text and an empty one."""
    texts = [json.loads(line)["text"] for line in (FRESH / "articles.jsonl").read_text("utf-8").splitlines()]
    for text in texts + ["Commune", ""]:
        reference = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
        reference.update_batch(shingles(text))
        ours = signature(text)
        assert ours.dtype == reference.hashvalues.dtype and np.array_equal(ours, reference.hashvalues)


def test_band_layouts_are_datasketchs():
    """The same bands as datasketch's MinHashLSH for every threshold the settings allow, on a
    0.01 grid (its layout search integrates with scipy; ours exactly, without importing it)."""
    for hundredths in range(1, 99):
        threshold = hundredths / 100
        lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        assert band_layout(threshold, NUM_PERM) == (lsh.b, lsh.r), threshold


def _edited(text: str, words: int, rng: random.Random) -> str:
    tokens = text.split()
    for _ in range(words):
        tokens[rng.randrange(len(tokens))] = rng.choice(["ward", "commune", "district", "meeting"])
    return " ".join(tokens)


@pytest.mark.parametrize("threshold, collide", [(0.6, False), (0.85, False), (0.6, True)])
def test_the_index_answers_as_datasketch(monkeypatch, threshold, collide):
    """The same candidates and the same article kept as datasketch's MinHashLSH, on the fresh
    texts and copies of them with 1 to 40 words changed: some loaded at once, the rest added one
    by one (merged into the sorted bands every 5), some removed. `collide`: every band key the
    same, so only the check of the whole band tells candidates apart."""
    monkeypatch.setattr(index_module, "_MERGE", 5)
    if collide:
        monkeypatch.setattr(index_module, "_MULTIPLIERS", np.zeros(NUM_PERM, np.uint64))
    rng = random.Random(7)
    texts = [json.loads(line)["text"] for line in (FRESH / "articles.jsonl").read_text("utf-8").splitlines()]
    signatures = {}
    for n, text in enumerate(texts):
        signatures[f"a{n:02d}"] = signature(text)
        for words in (1, 5, 15, 40):
            signatures[f"a{n:02d}-{words}"] = signature(_edited(text, words, rng))
    ids = sorted(signatures)
    rng.shuffle(ids)
    index, lsh = DuplicateIndex(threshold), MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    loaded = ids[:100]
    index.add_signatures(loaded, np.stack([signatures[i] for i in loaded]))
    for i in loaded:
        lsh.insert(i, lean(signatures[i]))
    found = 0
    for n, article_id in enumerate(ids[100:]):
        query = signatures[article_id]
        expected = lsh.query(lean(query))
        assert sorted(index.candidates(query)) == sorted(expected)
        above = [(-similarity(query, signatures[i]), i) for i in expected]
        best = min((pair for pair in above if -pair[0] >= threshold), default=None)
        match = index.near_copy(query)
        if best is None:
            assert match is None
        else:
            assert (match.kept_article_id, match.similarity) == (best[1], -best[0])
            found += 1
        index.add(article_id, "", query)
        lsh.insert(article_id, lean(query))
        if n % 9 == 0:
            index.remove(article_id, "")
            lsh.remove(article_id)
    assert found > 50 and len(index) == len(lsh.keys)


def test_the_index_costs_under_a_kilobyte_an_article():
    """A signature is 512 bytes (128 uint32); the band keys, the id and the hash add some 200
    (the datasketch index it replaces took 5.9 KB an article in this test)."""
    rng = np.random.default_rng(0)
    signatures = rng.integers(0, 2**32, size=(5000, NUM_PERM), dtype=np.uint32)
    ids = [f"article-{n:07d}" for n in range(len(signatures))]
    tracemalloc.start()
    try:
        index = DuplicateIndex(0.6)
        before = tracemalloc.get_traced_memory()[0]
        for n, (article_id, values) in enumerate(zip(ids, signatures)):
            if n % 50 == 0:  # the pending band keys are merged into the sorted ones every 1,024
                assert index.near_copy(values) is None
            index.add(article_id, article_id, values)
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(index) == len(ids)
    assert used / len(ids) < 1000


def test_a_committed_article_costs_under_200_bytes_of_the_index():
    """Committed articles keep their band keys (144 bytes), where their signature is (8) and
    their text hash hashed (16): ids and signatures are read back from the part on demand."""
    rng = np.random.default_rng(1)
    signatures = rng.integers(0, 2**32, size=(5000, NUM_PERM), dtype=np.uint32)
    ids = [f"article-{n:07d}" for n in range(len(signatures))]
    reads = []

    def read_part(name):  # what `tables.read_signature_part` returns for a committed part
        reads.append(name)
        return ids, signatures

    tracemalloc.start()
    try:
        index = DuplicateIndex(0.6, read_part)
        before = tracemalloc.get_traced_memory()[0]
        rows = index.add_part("part-00000001.parquet", signatures)
        index.set_stored_hashes(rows, stable_hashes(ids))
        assert index.near_copy(signatures[4321]) == Match(ids[4321], 1.0, "near copy")
        assert index.same_text(ids[17]) == Match(ids[17], 1.0, "same text")
        index._cached.clear()  # what a read part costs is not the index's own
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert reads == ["part-00000001.parquet"] and len(index) == len(ids)
    assert used / len(ids) < 200


def test_the_index_is_stored_with_the_tables_and_read_without_texts(fresh_rules_only, settings, monkeypatch):
    out = fresh_rules_only
    snapshot = commits.committed(out)
    stored = {i: row for ids, matrix in read_signatures(out, snapshot) for i, row in zip(ids, matrix)}
    articles = load_tables(out)["articles"]
    assert set(stored) == set(articles["article_id"])
    for article_id, text in zip(articles["article_id"][:5], articles["text"][:5]):
        assert (stored[article_id] == signature(text)).all()
    columns_read = []

    def spy(out, table, columns, snapshot=None):  # the real reader, noting what is asked of it
        columns_read.append((table, tuple(columns)))
        return scan_columns(out, table, columns, snapshot)

    scan_columns = known_module.scan_columns
    monkeypatch.setattr(known_module, "scan_columns", spy)
    known = load_known(out, snapshot, settings.dedupe.threshold)
    # every article's signature was committed with its hashed id and text hash: `articles` is not read
    assert columns_read == [("duplicates", ("source", "kept_article_id"))]
    assert len(known.index) == len(known) == len(articles) and not known.unstored


def test_a_folder_without_signatures_gets_them_once(tmp_path, settings):
    """Tables written before signatures were kept: the next run signs their articles (reading
    their texts once) and commits the signatures; the run after reads them back."""
    seeds = [json.loads(line) for line in (RAW / "01-seeds.jsonl").read_text("utf-8").splitlines()]
    run([RAW / "01-seeds.jsonl"], tmp_path / "full", settings, rules_only=True)
    articles = read_columns(tmp_path / "full", "articles", list(SCHEMAS["articles"].names)).to_pylist()
    old = tmp_path / "old"
    rows = {"articles": [a for a in articles if a["article_id"] == seeds[0]["id"]]}
    with commits.writing(old, TABLES):  # as provnews wrote tables before `_minhash` existed
        commits.commit(old, TABLES, lambda table, path: pq.write_table(to_arrow(table, rows.get(table, [])), path))
    assert "_minhash" not in commits.committed(old).parts
    summary = run([RAW], old, settings, rules_only=True)  # the other seed is new; the copies are copies
    assert summary.counts["articles"] == 1 and summary.duplicates == 4
    signed = {i for ids, _ in read_signatures(old, commits.committed(old)) for i in ids}
    assert signed == {seeds[0]["id"], seeds[1]["id"]}
    known = load_known(old, commits.verify(old, COMMITTED), settings.dedupe.threshold)
    assert not known.unstored and len(known.index) == 2
    # The re-signed article has no hash of its input (its `_minhash` part has one for the new
    # article only): it is cleaned again, and meets settings that refuse every text; the new
    # article's input is held, not cleaned.
    again = run([RAW / "01-seeds.jsonl"], old, load_settings(clean={"min_chars": 500_000}), rules_only=True)
    assert again.skipped_known == 1 and again.failed == 1 and "too short" in again.error_lines[0]


def test_signatures_stored_without_their_hashes_are_read_with_the_articles_ids(tmp_path, settings):
    """`_minhash` parts of an older version (ids and signatures, no hashes): start-up reads the
    ids and text hashes of `articles` as well, and the verdicts are the same."""
    run([RAW / "01-seeds.jsonl"], tmp_path / "full", settings, rules_only=True)
    articles = read_columns(tmp_path / "full", "articles", list(SCHEMAS["articles"].names)).to_pylist()
    signatures = read_columns(tmp_path / "full", "_minhash", ["article_id", "signature"])
    old_schema = signatures.schema.with_metadata({"provnews_minhash": FINGERPRINT, "provnews_table": "_minhash"})
    rows = {"articles": articles}
    old = tmp_path / "old"

    def write(table, path):
        if table == "_minhash":
            pq.write_table(signatures.cast(old_schema), path)
        else:
            pq.write_table(to_arrow(table, rows.get(table, [])), path)

    with commits.writing(old, COMMITTED):
        commits.commit(old, COMMITTED, write)
    known = load_known(old, commits.verify(old, COMMITTED), settings.dedupe.threshold)
    assert len(known) == 2 and not known.unstored  # nothing to sign again
    summary = run([RAW], old, settings, rules_only=True)
    assert summary.counts["articles"] == 0 and summary.skipped_known == 2 and summary.duplicates == 4
    run([RAW], tmp_path / "fresh", settings, rules_only=True)
    columns = ["source", "kept_article_id", "similarity", "reason"]
    copies = [sorted(map(tuple, load_tables(out)["duplicates"][columns].to_numpy().tolist())) for out in (old, tmp_path / "fresh")]
    assert copies[0] == copies[1] and len(copies[0]) == 4


def test_the_threshold_is_a_setting(tmp_path):
    strict = tmp_path / "strict.toml"
    strict.write_text("[dedupe]\nthreshold = 0.98\n")
    summary = run([RAW], tmp_path / "out", load_settings(strict), rules_only=True)
    copies = load_tables(tmp_path / "out")["duplicates"]
    assert summary.counts["articles"] == 3  # the HTML page of similarity 0.96 is an article now
    assert sorted(copies["reason"]) == ["near copy", "same text", "same text"]
    strict.write_text("[dedupe]\nthreshold = 1.5\n")
    with pytest.raises(ConfigError, match=r"\[dedupe\] threshold must be more than 0 and at most 0.98"):
        load_settings(strict)


def test_a_record_given_twice_is_a_copy_and_progress_counts_what_was_committed(tmp_path):
    line = (RAW / "01-seeds.jsonl").read_text("utf-8").splitlines()
    (tmp_path / "in.jsonl").write_text("\n".join([line[0], line[1], line[0]]) + "\n", encoding="utf-8")
    progress: list[str] = []
    settings = load_settings(nlp={"articles_per_part": 1})
    summary = run([tmp_path / "in.jsonl"], tmp_path / "out", settings, rules_only=True, report=progress.append)
    assert progress == ["committed 1 article (1 so far)", "committed 1 article (2 so far)"]
    copies = load_tables(tmp_path / "out")["duplicates"]
    assert list(copies["source"]) == [f"{tmp_path / 'in.jsonl'}:3"] and list(copies["reason"]) == ["same record"]
    assert summary.duplicates == 1 and summary.failed == 0


def test_an_article_that_fails_extraction_is_not_counted_nor_kept_for_its_copies(tmp_path, monkeypatch):
    """An extraction crash (injected: no real text is known to crash it since long texts go in
    pieces) leaves that article out of the committed count, of the index and of the copies."""
    import pipeline.batch as batch_module  # where a batch's articles become rows

    real = batch_module.doc_to_rows

    def crashing(article, doc, *readers):
        if article.article_id == "seed-langson-survey":
            raise RuntimeError("a component crashed")
        return real(article, doc, *readers)

    monkeypatch.setattr(batch_module, "doc_to_rows", crashing)
    progress: list[str] = []
    summary = run([RAW], tmp_path / "out", load_settings(), rules_only=True, report=progress.append)
    assert "committed 1 article (1 so far)" in progress  # 2 tried, 1 committed
    tables = load_tables(tmp_path / "out")
    assert list(tables["articles"]["article_id"]) == ["seed-lamdong-truong-xuan"]
    assert set(tables["duplicates"]["kept_article_id"]) == {"seed-lamdong-truong-xuan"}
    errors = dict(zip(tables["errors"]["source"], tables["errors"]["message"]))
    assert errors[f"{RAW / '01-seeds.jsonl'}:2"] == "RuntimeError: a component crashed"
    assert errors[str(RAW / "03-langson-survey.txt")].startswith("a copy of article seed-langson-survey, which")
    assert summary.failed == 3 and summary.duplicates == 2  # the article and its two copies failed
    signed = {i for ids, _ in read_signatures(tmp_path / "out", commits.committed(tmp_path / "out")) for i in ids}
    assert signed == {"seed-lamdong-truong-xuan"}


def test_copies_of_articles_committed_by_an_earlier_run_are_found_from_their_stored_parts(tmp_path):
    """A committed article keeps only hashes and band keys in memory: its id and signature are
    read back from its `_minhash` part, several commits later (the snapshot it was listed in is
    gone by then), and the verdicts are those of one run that held everything."""
    settings = load_settings(nlp={"articles_per_part": 1})
    others = tmp_path / "others.jsonl"
    others.write_text("".join((FRESH / "articles.jsonl").read_text("utf-8").splitlines(keepends=True)[:3]),
                      encoding="utf-8")
    later = [others, RAW / "04-lamdong-truong-xuan.html", RAW / "03-langson-survey.txt"]
    run([RAW / "01-seeds.jsonl"], tmp_path / "two", settings, rules_only=True)
    known = load_known(tmp_path / "two", commits.verify(tmp_path / "two", COMMITTED), settings.dedupe.threshold)
    assert len(known) == 2 and not known.ids and not known.unstored  # nothing held by id
    summary = run(later, tmp_path / "two", settings, rules_only=True)
    run([RAW / "01-seeds.jsonl", *later], tmp_path / "one", settings, rules_only=True)
    assert summary.counts["articles"] == 3 and summary.duplicates == 2
    columns = ["skipped_id", "kept_article_id", "similarity", "reason"]
    two, one = (load_tables(tmp_path / name)["duplicates"][columns].to_dict("records") for name in ("two", "one"))
    assert two == one
    assert sorted(row["reason"] for row in two) == ["near copy", "same text"]
    assert {row["kept_article_id"] for row in two} == {"seed-lamdong-truong-xuan", "seed-langson-survey"}


def test_exact_copies_of_committed_articles_read_ids_not_signatures(tmp_path):
    """A syndicated story arriving again under new ids is a `same text` copy: its kept article's
    id comes from the ids of its `_minhash` part, read once and kept, not from the part's
    signatures (a read of a whole part a copy, once copies spread over more parts than stay cached)."""
    settings = load_settings(nlp={"articles_per_part": 1})
    source = tmp_path / "six.jsonl"
    records = [json.loads(line) for line in (FRESH / "articles.jsonl").read_text("utf-8").splitlines()[:6]]
    source.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    run([source], tmp_path / "out", settings, rules_only=True)
    out = tmp_path / "out"
    committed = read_columns(out, "articles", ["article_id", "text_hash", "text"])
    known = load_known(out, commits.verify(out, COMMITTED), settings.dedupe.threshold)
    reads = {"parts": 0, "ids": 0}
    read_part, read_ids = known.index._read_part, known.index._read_ids

    def counted(kind, read):
        def reader(name):
            reads[kind] += 1
            return read(name)
        return reader
    known.index._read_part, known.index._read_ids = counted("parts", read_part), counted("ids", read_ids)
    for attempt in range(2):
        for row in committed.to_pylist():
            verdict = known.see(Article(f"again-{attempt}-{row['article_id']}", "feed", row["text"],
                                        text_hash=row["text_hash"]))
            assert verdict.kind == "duplicate" and verdict.copy.kept_article_id == row["article_id"]
            assert verdict.copy.reason == "same text"
    assert reads == {"parts": 0, "ids": len(committed)}  # one part an article here, each read once


def test_a_batch_an_article_finds_the_copies_one_batch_finds(tmp_path):
    """After each commit this run's articles are kept as committed ones are (hashes and band
    keys; ids and signatures read back from their part): copies of them, exact, near or the same
    record again, are found all the same."""
    eight = tmp_path / "eight.jsonl"
    eight.write_text("".join((FRESH / "articles.jsonl").read_text("utf-8").splitlines(keepends=True)[:8]),
                     encoding="utf-8")
    inputs = [eight, RAW / "01-seeds.jsonl", RAW / "02-lamdong-truong-xuan.txt", RAW / "03-langson-survey.txt",
              RAW / "04-lamdong-truong-xuan.html", RAW / "05-langson-survey.html", eight]
    columns = ["source", "skipped_id", "kept_article_id", "similarity", "reason"]
    found = {}
    for per_part in (1, 500):
        out = tmp_path / f"per-part-{per_part}"
        summary = run(inputs, out, load_settings(nlp={"articles_per_part": per_part}), rules_only=True)
        tables = load_tables(out)
        found[per_part] = (sorted(tables["articles"]["article_id"]),
                           tables["duplicates"][columns].sort_values("source").to_dict("records"), summary.duplicates)
    assert found[1] == found[500]
    articles, copies, count = found[1]
    assert len(articles) == 10 and count == len(copies) == 12
    assert {row["reason"] for row in copies} == {"same text", "near copy", "same record"}


def test_a_long_run_keeps_its_committed_articles_as_an_earlier_runs(tmp_path):
    """What a run holds of the articles it has committed does not grow by a signature and an id
    an article: a run's memory follows its batch, not the archive it writes. (The run's loop:
    see, commit with the signatures, settle.)"""
    rng = np.random.default_rng(11)
    records = [Article(f"a-{i}", "x", text, text_hash=f"h{i}", signature=signature(text))
               for i, text in enumerate(" ".join(map(str, rng.integers(0, 10**6, 400))) for _ in range(4000))]
    unlike = signature(" ".join(map(str, rng.integers(0, 10**6, 400))))
    out = tmp_path / "out"
    traced = []
    with exclusive(out) as snapshot:
        known = load_known(out, snapshot, 0.6)
        tracemalloc.start()  # the first commit's imports stay: compared after it, they cancel out
        for start in range(0, len(records), 500):
            batch = records[start:start + 500]
            assert all(known.see(article).kind == "new" for article in batch)
            rows = {"_minhash": known.signature_rows([a.article_id for a in batch])}
            known.settle(write_batch(out, rows), rows["_minhash"])
            del rows
            assert known.index.near_copy(unlike) is None  # the band keys sorted in (no part read)
            traced.append(tracemalloc.get_traced_memory()[0])
        tracemalloc.stop()
        assert known.index.near_copy(records[0].signature).kept_article_id == "a-0"  # read from its part
        assert known.see(records[-1]).kind == "duplicate" and known.see(records[1]).copy.reason == "same record"
    assert len(known) == len(known.index) == len(records)
    per_article = (traced[-1] - traced[1]) / (len(records) - 1000)  # from 1,000 articles to 4,000 (one block each)
    assert per_article < 250, per_article


def test_a_run_in_one_process_signs_only_the_articles_the_tables_do_not_hold(tmp_path, monkeypatch):
    """Cleaned in the process that decides duplicates, an article is signed when that process
    needs its signature: a resumed run passes over the articles already committed unsigned."""
    real, signed = known_module.signature, []

    def counting(text):  # the real signature, counted
        signed.append(text)
        return real(text)

    monkeypatch.setattr(known_module, "signature", counting)
    settings = load_settings(nlp={"n_process": 1})
    run([FRESH / "articles.jsonl"], tmp_path / "out", settings, rules_only=True)
    articles = load_tables(tmp_path / "out")["articles"]
    assert len(signed) == len(articles) > 50  # each article kept, signed once
    stored = {i: row for ids, matrix in read_signatures(tmp_path / "out", commits.committed(tmp_path / "out"))
              for i, row in zip(ids, matrix)}
    assert all((stored[i] == signature(text)).all() for i, text in zip(articles["article_id"], articles["text"]))
    signed.clear()
    summary = run([FRESH / "articles.jsonl"], tmp_path / "out", settings, rules_only=True)
    assert summary.skipped_known == len(articles) and signed == []


def test_a_worker_signs_the_articles_it_cleans():
    from pipeline.batch import clean_partition
    from pipeline.partitions import plan_partitions

    settings = load_settings()
    partition = next(plan_partitions([RAW / "02-lamdong-truong-xuan.txt"], settings.engine.partition_bytes))
    article, = clean_partition(partition, settings)
    assert (article.signature == signature(article.text)).all()
    unsigned, = clean_partition(partition, settings, sign=False)
    assert unsigned.signature is None and unsigned.text_hash == article.text_hash
