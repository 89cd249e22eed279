"""`provnews rules check`: validate every rule file, then run each rule's examples."""
from __future__ import annotations

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from pipeline.components.statements import context_cancels, verb_missing_after
from pipeline.errors import ModelError, RuleError
from pipeline.nlp import build_nlp
from pipeline.rules import Rule, load_rules
from pipeline.settings import Settings


def check_rules(settings: Settings) -> list[str]:
    """Problems, one line each, naming file and rule; an empty list means all is well."""
    try:
        rules = load_rules(settings.rules_dir)
    except RuleError as exc:
        return list(exc.problems)
    plain = build_nlp(settings, rules_only=True)
    model: Language | None = None  # loaded for the rules that read its annotations only
    problems = []
    for rule in rules.rules:
        where = f"[{rule.path}: rule {rule.id!r}]"
        nlp = plain
        reads = sorted(rule.model_attributes()) + (["the tagger (followed_by_verb)"]
                                                    if rule.option("followed_by_verb") else [])
        if reads:
            try:
                model = model or build_nlp(settings)
            except ModelError as exc:
                problems.append(f"{where} reads {', '.join(reads)}: its examples need the model ({exc})")
                continue
            nlp = model
        matcher = Matcher(nlp.vocab)
        matcher.add(rule.id, [rule.token_pattern()])
        for sentence in rule.match_examples:
            if not _matches(matcher, nlp(sentence), rule):
                problems.append(f"{where} does not match its example: {sentence!r}")
        for sentence in rule.no_match_examples:
            if _matches(matcher, nlp(sentence), rule):
                problems.append(f"{where} matches its no_match example: {sentence!r}")
    return problems


def _matches(matcher: Matcher, doc: Doc, rule: Rule) -> bool:
    """A match counts unless the rule's context words cancel it, or (`followed_by_verb`) a noun
    phrase follows it, as in the statements component."""
    return any(not context_cancels(doc, start, end, rule) and not verb_missing_after(doc, end, rule)
               for _, start, end in matcher(doc))
