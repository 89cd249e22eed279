"""From the web to the tables: `fetch` then `run` on the raw store, the same through a WARC
written by fetch, WARC files of other crawlers (with junk in them), and a fetch killed with
SIGKILL and resumed."""
from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.fetch import fetch
from pipeline.fetch.store import MANIFEST_NAME, latest_rows
from pipeline.fetch.warc import read_warc
from pipeline.records import ErrorRecord, RawRecord
from pipeline.run import run
from pipeline.settings import load_settings
from pipeline.sources import expand_inputs
from pipeline.tables import load_tables

from conftest import RAW, ROOT
from newsserver import LAMDONG, LANGSON, NewsSite
from test_seeds_end_to_end import LANGSON_CODES

FAST = {"delay": 0.05, "connect_timeout": 1.0, "read_timeout": 0.3, "retries": 1, "backoff": 0.05}


@pytest.fixture(scope="module")
def fetched(tmp_path_factory, settings):
    """One fetch (URL file, feed, sitemap; good pages and faults) with --warc, then two runs:
    on the raw folder and on the WARC file."""
    folder = tmp_path_factory.mktemp("web")
    with NewsSite() as site:
        urls = folder / "urls.txt"
        urls.write_text("\n".join(site.url(p) for p in ("/news/lamdong-truong-xuan.html", "/missing.html",
                                                          "/report.pdf", "/loop/a")) + "\n")
        summary = fetch([urls], [site.url("/feed.xml")], [site.url("/sitemap-index.xml")], folder / "raw",
                        load_settings(fetch=FAST), warc=folder / "crawl.warc.gz", progress_bar=False)
        base = site.base
    run([folder / "raw"], folder / "from-store", settings)
    run([folder / "crawl.warc.gz"], folder / "from-warc", settings)
    return folder, base, summary, load_tables(folder / "from-store"), load_tables(folder / "from-warc")


def test_fetched_pages_become_the_seed_articles(fetched):
    _, base, _, tables, _ = fetched
    articles = tables["articles"].set_index("url")
    assert sorted(articles.index) == [base + "/news/lamdong-truong-xuan.html", base + "/news/langson-survey.html"]
    assert articles["fetched_at"].notna().all()
    langson = articles.loc[base + "/news/langson-survey.html", "article_id"]
    lamdong = articles.loc[base + "/news/lamdong-truong-xuan.html", "article_id"]
    communes = tables["communes"]
    assert set(communes[communes.article_id == langson]["ward_code"]) == LANGSON_CODES
    assert set(communes[communes.article_id == lamdong]["ward_code"]) == {"24730"}
    officials = tables["officials"]
    assert set(officials["name_key"]) == {"doan thu ha", "ha thi hanh"}
    assert len(tables["difficulties"][tables["difficulties"].article_id == lamdong]) == 6


def test_fetch_failures_are_error_rows(fetched):
    _, base, _, tables, _ = fetched
    errors = tables["errors"]
    fetch_errors = dict(zip(errors[errors.stage == "fetch"]["source"], errors[errors.stage == "fetch"]["message"]))
    assert fetch_errors[base + "/missing.html"] == "HTTP 404"
    assert fetch_errors[base + "/report.pdf"] == "not HTML: application/pdf"
    assert fetch_errors[base + "/loop/a"].startswith("redirect loop")
    # without --since the 2019 sitemap entries are asked for too; the server has no such pages
    assert fetch_errors[base + "/news/2019-story.html"] == fetch_errors[base + "/news/2019-other.html"] == "HTTP 404"
    assert len(fetch_errors) == 5
    assert "dedupe" not in set(errors.stage)
    copies = tables["duplicates"]  # redirected to a page already read: kept once, the copy recorded
    assert list(copies["source"]) == [base + "/news/moved"]
    langson = tables["articles"].set_index("url").loc[base + "/news/langson-survey.html", "article_id"]
    assert list(copies["kept_article_id"]) == [langson] and list(copies["reason"]) == ["same record"]


def test_a_warc_written_by_fetch_gives_the_same_articles(fetched):
    folder, _, summary, from_store, from_warc = fetched
    assert summary.warc_records == 3  # lamdong, langson and the page that moved there
    columns = ["article_id", "url", "text", "published"]
    key = "article_id"
    assert from_warc["articles"][columns].sort_values(key).reset_index(drop=True).equals(
        from_store["articles"][columns].sort_values(key).reset_index(drop=True))
    assert set(from_warc["communes"]["ward_code"]) == set(from_store["communes"]["ward_code"])


def test_store_bodies_are_not_read_as_loose_files(fetched, tmp_path, settings):
    folder = fetched[0]
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    shutil.copytree(folder / "raw" / "store", raw / "store")
    items = list(expand_inputs([raw]))
    assert raw / "store" in items
    assert not [p for p in items if isinstance(p, Path) and "store" in p.parts and p != raw / "store"]
    assert list(expand_inputs([raw / "store"])) == [raw / "store"]  # the store alone, by its folder
    assert list(expand_inputs([raw / "store" / MANIFEST_NAME])) == [raw / "store" / MANIFEST_NAME]
    summary = run([raw], tmp_path / "out", settings, rules_only=True)
    assert summary.counts["articles"] == 2  # the seeds; the fetched pages are the same articles
    assert not [line for line in summary.error_lines if ".gz" in line or "unknown extension" in line]


def _record(writer: WARCWriter, uri: str, body: bytes, content_type: str, kind: str = "response"):
    http = StatusAndHeaders("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                            protocol="HTTP/1.1") if kind == "response" else None
    return writer.create_warc_record(uri, kind, payload=io.BytesIO(body), length=len(body), http_headers=http,
                                     warc_headers_dict={"WARC-Date": "2025-08-04T10:00:00Z"})


def crawler_warc(path: Path, packed: bool, corrupt: bytes) -> None:
    """A WARC as another crawler writes it: request and metadata records, an HTML page, a PDF,
    a corrupt record, another HTML page."""
    parts = []
    for make in (lambda w: w.create_warcinfo_record(path.name, {"software": "another crawler"}),
                 lambda w: _record(w, "https://baolamdong.vn/a-400506.html", b"GET / HTTP/1.1\r\n\r\n",
                                   "application/http; msgtype=request", kind="request"),
                 lambda w: _record(w, "https://baolamdong.vn/a-400506.html", LAMDONG, "text/html; charset=utf-8"),
                 lambda w: _record(w, "https://baolamdong.vn/report.pdf", b"%PDF-1.4 ...", "application/pdf"),
                 lambda w: _record(w, "https://baolamdong.vn/a-400506.html", b'{"lang": "en"}',
                                   "application/json", kind="metadata"),
                 None,
                 lambda w: _record(w, "https://baolangson.vn/k-5054962.html", LANGSON, "text/html")):
        if make is None:
            parts.append(gzip.compress(corrupt) if packed else corrupt)
            continue
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=packed)
        writer.write_record(make(writer))
        parts.append(buffer.getvalue())
    path.write_bytes(b"".join(parts))


@pytest.mark.parametrize("name, corrupt", [
    ("crawl.warc.gz", b"this is not a WARC record\r\n\r\n"),
    ("crawl.warc", b"this is not a WARC record\r\n\r\n"),
    ("crawl.warc", b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 3\r\n\r\nlonger than three bytes\r\n\r\n"),
])
def test_warc_input_reads_html_responses_and_survives_a_corrupt_record(tmp_path, name, corrupt):
    path = tmp_path / name
    crawler_warc(path, name.endswith(".gz"), corrupt)
    items = list(read_warc(path))
    pages = [i for i in items if isinstance(i, RawRecord)]
    errors = [i for i in items if isinstance(i, ErrorRecord)]
    assert [p.url for p in pages] == ["https://baolamdong.vn/a-400506.html", "https://baolangson.vn/k-5054962.html"]
    assert {p.fetched_at for p in pages} == {"2025-08-04T10:00:00Z"}
    assert len(errors) == 1 and errors[0].message.startswith("corrupt WARC record")
    assert errors[0].source.startswith(f"{path}@")


@pytest.mark.parametrize("name", ["cut.warc", "cut.warc.gz"])
def test_a_record_cut_short_is_an_error_not_an_article(tmp_path, name):
    """Review: warcio hands back a record cut off by the end of the file as if it were whole; a
    cut article must not reach the tables (its id would then refuse the whole copy later)."""
    packed = name.endswith(".gz")
    parts = []
    for uri, body in (("https://baolamdong.vn/a-400506.html", LAMDONG), ("https://baolangson.vn/k-5054962.html", LANGSON)):
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=packed)
        writer.write_record(_record(writer, uri, body, "text/html"))
        parts.append(buffer.getvalue())
    path = tmp_path / name
    path.write_bytes(parts[0] + parts[1][:len(parts[1]) // 2])
    items = list(read_warc(path))
    assert [i.url for i in items if isinstance(i, RawRecord)] == ["https://baolamdong.vn/a-400506.html"]
    errors = [i for i in items if isinstance(i, ErrorRecord)]
    assert len(errors) == 1 and errors[0].source == f"{path}@{len(parts[0])}", errors
    assert errors[0].message.startswith("corrupt WARC record (")


def test_a_record_longer_than_the_file_is_an_error_and_the_records_inside_it_are_read(tmp_path):
    """Review: a Content-Length larger than the rest of the file swallowed every later record."""
    parts = []
    for uri, body in (("https://baolamdong.vn/a-1.html", LAMDONG), ("https://baolamdong.vn/a-400506.html", LAMDONG),
                      ("https://baolangson.vn/k-5054962.html", LANGSON)):
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=False)
        writer.write_record(_record(writer, uri, body, "text/html"))
        parts.append(buffer.getvalue())
    parts[0] = parts[0].replace(b"Content-Length: ", b"Content-Length: 9", 1)  # the WARC header's, first
    path = tmp_path / "badlen.warc"
    path.write_bytes(b"".join(parts))
    items = list(read_warc(path))
    errors = [i for i in items if isinstance(i, ErrorRecord)]
    assert [i.url for i in items if isinstance(i, RawRecord)] == ["https://baolamdong.vn/a-400506.html",
                                                                   "https://baolangson.vn/k-5054962.html"]
    assert len(errors) == 1 and errors[0].source == f"{path}@0" and "truncated" in errors[0].message


def test_each_copy_in_each_archive_has_its_duplicates_row(tmp_path, settings):
    """Review: the same pages in several WARC files were keyed by URL, so the copies of the later
    files shared one row and the summary said they were "recorded before"."""
    archives = [tmp_path / "crawl.warc", tmp_path / "again.warc.gz", tmp_path / "third.warc"]
    for path in archives:
        crawler_warc(path, path.name.endswith(".gz"), b"garbage\r\n\r\n")
    summary = run(archives, tmp_path / "out", settings, rules_only=True)
    tables = load_tables(tmp_path / "out")
    assert sorted(source.split("@")[0] for source in tables["articles"]["source"]) == [str(archives[0])] * 2
    copies = tables["duplicates"]
    assert summary.duplicates == len(copies) == 4 and summary.counts["duplicates"] == 4
    assert sorted({source.split("@")[0] for source in copies["source"]}) == sorted(map(str, archives[1:]))
    assert copies["source"].is_unique


def test_a_crawl_warc_runs_into_tables(tmp_path, settings):
    path = tmp_path / "crawl.warc.gz"
    crawler_warc(path, True, b"garbage\r\n\r\n")
    summary = run([path], tmp_path / "out", settings, rules_only=True)
    tables = load_tables(tmp_path / "out")
    assert sorted(tables["articles"]["site"]) == ["baolamdong.vn", "baolangson.vn"]
    assert set(tables["articles"]["province_name"]) == {"Lâm Đồng", "Lạng Sơn"}
    assert summary.counts["errors"] == 1


def test_a_bad_warc_date_is_no_date_and_the_batch_goes_on(tmp_path, settings):
    path = tmp_path / "odd.warc.gz"
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for uri, body, when in (("https://baolamdong.vn/a-400506.html", LAMDONG, "not-a-date"),
                            ("https://baolangson.vn/k-5054962.html", LANGSON, "2025-08-04T10:00:00Z")):
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body), length=len(body),
                                                      http_headers=http, warc_headers_dict={"WARC-Date": when}))
    path.write_bytes(buffer.getvalue())
    summary = run([path], tmp_path / "out", settings, rules_only=True)
    articles = load_tables(tmp_path / "out")["articles"].set_index("site")
    assert summary.counts["articles"] == 2
    assert pd.isna(articles.loc["baolamdong.vn", "fetched_at"])
    assert str(articles.loc["baolangson.vn", "fetched_at"]).startswith("2025-08-04 10:00:00")


def _store_state(raw: Path) -> tuple[dict[str, bytes], dict[str, dict]]:
    store = raw / "store"
    bodies = {str(p.relative_to(store)): p.read_bytes() for p in store.glob("*/*") if p.is_file()}
    rows = {url: {k: v for k, v in row.__dict__.items() if k != "fetched_at"}
            for url, row in latest_rows(store)[0].items()}
    return bodies, rows


def test_a_killed_fetch_resumes_to_the_same_store(tmp_path):
    with NewsSite() as site:
        urls = tmp_path / "urls.txt"
        urls.write_text("\n".join([site.url(f"/page/{n}.html") for n in range(1, 19)]
                                  + [site.url("/missing.html"), site.url("/report.pdf")]) + "\n")
        config = tmp_path / "fast.toml"
        config.write_text("[fetch]\n" + "".join(f"{k} = {v}\n" for k, v in FAST.items()))
        command = [sys.executable, "-m", "pipeline", "fetch", str(urls), "--raw", str(tmp_path / "killed"),
                   "--config", str(config)]
        for kill_after in (4, 10):  # requests seen by the server, counted from the start of each attempt
            seen = len(site.hits)
            child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while len(site.hits) < seen + kill_after and time.monotonic() < deadline and child.poll() is None:
                time.sleep(0.01)
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        manifest = (tmp_path / "killed" / "store" / MANIFEST_NAME).read_bytes()
        assert 0 < manifest.count(b'"kind":"page"') < 20  # killed midway
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 1, result.stderr  # the site's 404 and PDF pages failed for good
        clean = subprocess.run([*command[:6], str(tmp_path / "clean"), *command[7:]], cwd=ROOT,
                               capture_output=True, text=True, timeout=120)
        assert clean.returncode == 1, clean.stderr
        assert "HTTP 404" in clean.stderr and "not HTML: application/pdf" in clean.stderr
    resumed_bodies, resumed_rows = _store_state(tmp_path / "killed")
    clean_bodies, clean_rows = _store_state(tmp_path / "clean")
    assert resumed_bodies == clean_bodies and len(clean_bodies) == 18
    assert resumed_rows == clean_rows and len(clean_rows) == 20
    for line in (tmp_path / "killed" / "store" / MANIFEST_NAME).read_text("utf-8").splitlines():
        json.loads(line)  # no half-written line left
    assert not list((tmp_path / "killed" / "store").glob("*/.*.tmp"))
