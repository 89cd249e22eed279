"""The reference scorer's definitions (`../shared/tools/score.py`), shared by every report:
content words, Dice, the greedy one-to-one matching of text items, precision/recall/F1."""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.textnorm import FUNCTION_WORDS, dice, fold

TEXT_TABLES = ("difficulties", "recommendations")
SCORED_TABLES = ("communes", "officials", *TEXT_TABLES)
# Scored the same way, though the reference scorer leaves them out: the gold lists them, and a
# researcher changing rules/directions.yaml needs to see the effect as for the other tables.
BEYOND_REFERENCE = ("directions",)
ALL_SCORED_TABLES = (*SCORED_TABLES, *BEYOND_REFERENCE)
MATCH_AT = 0.5


def content_words(text: str) -> set[str]:
    return {w for w in fold(text).split() if w not in FUNCTION_WORDS}


def match_items(predicted: list[str], gold: list[str]) -> list[tuple[int, int, float]]:
    """Greedy one-to-one matching, best pairs first (ties broken as the reference does)."""
    p_words = [content_words(t) for t in predicted]
    g_words = [content_words(t) for t in gold]
    pairs = sorted(((dice(p, g), i, j) for i, p in enumerate(p_words) for j, g in enumerate(g_words)), reverse=True)
    used_p: set[int] = set()
    used_g: set[int] = set()
    matches = []
    for score, i, j in pairs:
        if score < MATCH_AT:
            break
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            matches.append((i, j, score))
    return matches


@dataclass
class Counts:
    tp: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, tp: int, predicted: int, gold: int) -> None:
        self.tp, self.predicted, self.gold = self.tp + tp, self.predicted + predicted, self.gold + gold

    def as_dict(self) -> dict:
        p = self.tp / self.predicted if self.predicted else (1.0 if not self.gold else 0.0)
        r = self.tp / self.gold if self.gold else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                "tp": self.tp, "predicted": self.predicted, "gold": self.gold}
