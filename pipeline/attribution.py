"""Who proposes, and to whom: the `proposer` and `addressee` columns of recommendations, read
with the patterns of rules/recommendations.yaml so researchers extend them without Python."""
from __future__ import annotations

import re

from pipeline.rules import RuleSet
from pipeline.textnorm import word_alternation

ADDRESSEE_REACH = 60  # characters into the proposal where its addressee may still be named


class Attribution:
    def __init__(self, rules: RuleSet):
        lexicon = lambda name: rules.lexicon("recommendations", name, [])  # noqa: E731
        self.addressee = word_alternation(lexicon("addressee_patterns"), escape=False)
        self.proposer = word_alternation(lexicon("proposer_patterns"), escape=False)
        self.pronoun = word_alternation(lexicon("pronouns"), flags=re.IGNORECASE)

    def addressee_in(self, text: str, sentence_start: int, sentence_end: int, item_start: int) -> str | None:
        """The first addressee named in the sentence, up to a little into the proposal ("the
        Provincial People's Committee")."""
        found = self.addressee.search(text, sentence_start, min(sentence_end, item_start + ADDRESSEE_REACH))
        return found.group(0) if found else None

    def last_proposer(self, before: str) -> str | None:
        """The nearest group that asks, before the request ("Local voters")."""
        groups = [found.group(0) for found in self.proposer.finditer(before)]
        return groups[-1].strip() if groups else None
