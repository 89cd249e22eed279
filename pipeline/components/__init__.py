"""spaCy components (registered factories) and the Doc/Span extensions they fill.

Importing this package registers the factories, so `nlp.add_pipe("provnews_communes")` works
in any English pipeline once `pipeline.components` is imported.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span

SPAN_EXTENSIONS = {
    "provnews_rule": None,  # id of the rule that produced the span
    "provnews_link": None,  # communes: pipeline.linking.Link
    "provnews_info": None,  # dict of table fields specific to the span's kind
}
DOC_EXTENSIONS = {
    "provnews_hosts": None,  # hosts the article came from (site, url, Source: url)
    "provnews_provinces": None,  # ordered 2025 province codes, most likely first
    "provnews_published": None,  # the article's date (ISO): before 1 July 2025 names mean pre-merger units
    "provnews_title": None,  # the article's title: a province it names is what the article is about
    "provnews_url": None,  # the article's URL: its path is often the headline in Vietnamese, province and all
}


def register_extensions() -> None:
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


register_extensions()

from pipeline.components import communes, officials, statements  # noqa: E402,F401  (register factories)
