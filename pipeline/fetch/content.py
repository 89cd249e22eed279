"""What a response is: its media type, whether it is an article page, and its text."""
from __future__ import annotations

import codecs
from email.message import Message

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def media_type(content_type: str | None) -> str:
    """'text/html; charset=utf-8' -> 'text/html' ('' when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def charset(content_type: str | None) -> str | None:
    """The declared charset when Python knows it, else None (then the bytes decide)."""
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    name = message.get_param("charset")
    if not isinstance(name, str):
        return None
    try:
        return codecs.lookup(name.strip().strip("'\"")).name
    except LookupError:
        return None


def looks_like_html(head: bytes) -> bool:
    """For a response without a Content-Type: markup at the start of the body."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()[:512]
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<!--")) or b"<html" in start


def is_html(content_type: str | None, head: bytes = b"") -> bool:
    kind = media_type(content_type)
    return kind in HTML_TYPES if kind else looks_like_html(head)


def decode_html(data: bytes, content_type: str | None) -> str:
    """The page's text. Bytes that are valid UTF-8 are UTF-8 whatever the header says (a
    misdeclared Latin-1 is the common case); else the declared charset, else detection.
    ValueError when no charset gives text."""
    from pipeline.sources import decode_html_bytes

    declared = charset(content_type)
    if declared and declared.startswith(("utf-16", "utf-32")):
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass
    elif declared and declared != "utf-8":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                return data.decode(declared)
            except UnicodeDecodeError:
                pass
    return decode_html_bytes(data)
