"""Raw records → clean articles: trafilatura for HTML, trailer stripping, NFC, ids, language."""
from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from courlan import normalize_url

from pipeline.dedupe.minhash import folded_signature
from pipeline.records import Article, RawRecord
from pipeline.settings import CleanSettings
from pipeline.textnorm import FUNCTION_WORDS, fold, nfc

# Aggregators (English editions republishing a provincial paper) end with these lines.
_SOURCE_LINE = re.compile(r"^\s*(?:Source|Nguồn)\s*:\s*(https?://\S+?)[\s.]*$", re.IGNORECASE)
_COMMENT_LINE = re.compile(r"^\s*Comments?\s*\(\d+\)\s*$", re.IGNORECASE)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_WORDS = re.compile(r"\w+")
_VI_LETTERS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


class CleanError(ValueError):
    """The record holds no usable article; the message is the reason."""


def strip_trailers(text: str) -> tuple[str, str | None]:
    """Remove trailing `Source: <url>` / `Comment (N)` lines; return the text and the source URL."""
    lines = text.rstrip().split("\n")
    source_url = None
    while lines:
        last = lines[-1]
        if not last.strip() or _COMMENT_LINE.match(last):
            lines.pop()
            continue
        match = _SOURCE_LINE.match(last)
        if match:
            source_url = source_url or match.group(1)
            lines.pop()
            continue
        break
    return "\n".join(lines).strip(), source_url


def detect_language(text: str) -> str:
    """'en', 'vi' or 'unknown': enough to route an article, not a general language identifier."""
    words = _WORDS.findall(text[:30_000].lower())[:2000]  # findall: no match object per word
    if not words:
        return "unknown"
    english = sum(map(FUNCTION_WORDS.__contains__, words)) / len(words)
    # Vietnamese letters are not ASCII: an ASCII word needs no search.
    vietnamese = sum(1 for w in words if not w.isascii() and _VI_LETTERS.search(w)) / len(words)
    if english >= 0.12 and english > vietnamese / 2:
        return "en"
    if vietnamese >= 0.2:
        return "vi"
    return "unknown"


def iso_date(value: str | None) -> str | None:
    if not value:
        return None
    match = _ISO_DATE.search(value)
    if not match:
        return None
    try:
        return date(*map(int, match.groups())).isoformat()
    except ValueError:
        return None


def utc_timestamp(value: str | None) -> str | None:
    """An ISO 8601 UTC timestamp from a crawl's date header, or None: a WARC written by another
    tool may carry anything in `WARC-Date`, and a bad one must not sink the batch."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def canonical_url(url: str) -> str:
    try:
        return normalize_url(url, strict=True)
    except (ValueError, TypeError):
        return url.strip()


def _digest(value: str) -> str:
    return hashlib.sha1(value.encode("utf-8")).hexdigest()[:16]


def text_hash(text: str) -> str:
    """Same hash for the same words whatever the whitespace, case or diacritics: duplicates."""
    return folded_hash(fold(text))


def folded_hash(folded: str) -> str:
    """`text_hash` of a text already folded."""
    return _digest(folded)


def raw_hash(record: RawRecord) -> int:
    """A 64-bit hash of what decides a record's article id and text: its id, URL and HTML or
    text (not where it was read, when or under which title). The same hash means cleaning would
    give the same article again."""
    digest = hashlib.blake2b(digest_size=8)
    for part in (record.id or "", record.url or "", "html" if record.html is not None else "text",
                 record.html if record.html is not None else record.text or ""):
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))  # each part's length first: no separator to forge
        digest.update(data)
    return int.from_bytes(digest.digest(), "little", signed=True)


def make_article_id(record: RawRecord, text: str) -> str:
    if record.id:
        return record.id
    if record.url:
        return "u" + _digest(canonical_url(record.url))
    return "t" + text_hash(text)


def _check_length(text: str, settings: CleanSettings) -> None:
    """Refuse a dump early, before cleaning and the model cost time and memory."""
    if len(text) > settings.max_chars:
        raise CleanError(f"too long to be an article ({len(text):,} characters > [clean] max_chars "
                         f"{settings.max_chars:,}); raise max_chars in a settings file to process it in pieces")


def _extract_page(html: str | bytes, url: str | None) -> Any:
    """trafilatura's main text and metadata of a page. Imported at the first page, so a run over
    text or JSONL does not pay for it (0.1 s of every start)."""
    import trafilatura

    return trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                       include_tables=False, date_extraction_params=_date_params())


@lru_cache(maxsize=1)
def _date_params() -> dict:
    """A page's date from its markup and URL only: htmldate's extensive search guesses from the
    text (1 January of a year the article mentions, or 1 July 2025, the day of the merger), and a
    wrong date misleads the pre-merger linking more than no date; it also loads dateparser's
    locales."""
    from trafilatura.settings import set_date_params

    return set_date_params(extensive=False)


def clean_record(record: RawRecord, settings: CleanSettings, sign: bool = True, raw: int | None = None) -> Article:
    """One raw record → one Article, or CleanError saying why there is no article. `sign`: make
    its MinHash signature now (a worker: the process that decides duplicates only compares);
    without, the duplicate check makes it when it needs it (not for an article the tables hold:
    a resumed run passes over those at a third of the cost). `raw`: its `raw_hash`, if known."""
    title, published, url, site = record.title, iso_date(record.date), record.url, None
    if record.html is not None:
        try:
            doc = _extract_page(record.html, record.url)
        except Exception as exc:  # trafilatura raises assorted lxml errors on broken markup
            raise CleanError(f"HTML could not be parsed ({type(exc).__name__}: {exc})") from None
        if doc is None or not (doc.text or "").strip():
            raise CleanError("no article text found in the HTML page")
        text = doc.text
        title = title or doc.title
        published = published or iso_date(doc.date)
        url = url or doc.url
        site = doc.hostname
    else:
        text = record.text or ""
    _check_length(text, settings)
    text, source_url = strip_trailers(nfc(text).replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) < settings.min_chars and record.html is not None:
        raise CleanError(f"no article text found in the HTML page (only {len(text)} characters of text)")
    if len(text) < settings.min_chars:
        raise CleanError(f"too short to be an article ({len(text)} characters < {settings.min_chars})")
    language = detect_language(text)
    if language != "en":
        raise CleanError(f"not_english: detected language {language!r}; the extractor reads English")
    folded = fold(text)  # once, for the hash and the signature
    return Article(
        article_id=make_article_id(record, text),
        source=record.source,
        text=text,
        url=url,
        source_url=source_url,
        site=host_of(url) or site or host_of(source_url),
        title=nfc(title).strip() if title else None,
        published=published,
        language=language,
        text_hash=folded_hash(folded),
        fetched_at=utc_timestamp(record.fetched_at),
        signature=folded_signature(folded) if sign else None,
        raw_hash=raw_hash(record) if raw is None else raw,
    )
