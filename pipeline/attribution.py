"""Who proposes, and to whom: the `proposer` and `addressee` columns of recommendations, read
with the patterns of rules/recommendations.yaml so researchers extend them without Python."""
from __future__ import annotations

import re

from pipeline.rules import RuleSet

NEVER = re.compile(r"(?!)")


def _alternation(patterns: list[str], flags: int = 0) -> re.Pattern[str]:
    """One regex for a list of alternatives, as whole words; none: a regex that never matches."""
    return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\b", flags) if patterns else NEVER


class Attribution:
    def __init__(self, rules: RuleSet):
        lexicon = lambda name: rules.lexicon("recommendations", name, [])  # noqa: E731
        self.addressee = _alternation(lexicon("addressee_patterns"))
        self.proposer = _alternation(lexicon("proposer_patterns"))
        self.pronoun = _alternation([re.escape(word) for word in lexicon("pronouns")], re.IGNORECASE)

    def addressee_in(self, text: str, start: int, end: int) -> str | None:
        """The first addressee named in text[start:end] ("the Provincial People's Committee")."""
        found = self.addressee.search(text, start, end)
        return found.group(0) if found else None

    def last_proposer(self, before: str) -> str | None:
        """The nearest group that asks, before the request ("Local voters")."""
        groups = self.proposer.findall(before)
        return groups[-1].strip() if groups else None
