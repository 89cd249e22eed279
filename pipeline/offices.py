"""An official's organisation and level (commune / province / central), read from the titles
with the keyword lexicons of rules/officials.yaml, so analysts can group people by office."""
from __future__ import annotations

import re

from pipeline.rules import RuleSet
from pipeline.textnorm import fold, word_alternation

LEVEL_ORDER = ("commune", "central", "province")  # a commune's title may name its province, not the reverse
LOCAL_FIRST = ("commune", "province", "central")  # a person's level: the most local office held


def _keywords(words: list[str]) -> re.Pattern[str]:
    return word_alternation([fold(w) for w in words])


class OfficeParser:
    def __init__(self, rules: RuleSet):
        self.organizations = [(name, _keywords(words))
                              for name, words in (rules.lexicon("officials", "organizations") or {}).items()]
        levels = rules.lexicon("officials", "levels") or {}
        self.levels = [(level, _keywords(levels[level])) for level in LEVEL_ORDER if level in levels]

    def title(self, title: str) -> tuple[str | None, str | None]:
        """(organisation, level) of one title; None where no keyword says."""
        folded = fold(title)
        organization = next((name for name, pattern in self.organizations if pattern.search(folded)), None)
        level = next((level for level, pattern in self.levels if pattern.search(folded)), None)
        return organization, level

    def __call__(self, titles: list[str]) -> tuple[str | None, str | None]:
        """A person's (organisation, level): the most local office among the titles."""
        parsed = [self.title(t) for t in titles]
        for level in LOCAL_FIRST:
            for organization, found in parsed:
                if found == level:
                    return organization, level
        return next((organization for organization, _ in parsed if organization), None), None
