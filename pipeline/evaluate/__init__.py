"""Scoring a run against gold annotations (the numbers of `../shared/tools/score.py`), and what
a researcher needs next: which rule made each row (`per_rule`), what a change gained and lost
against a baseline run (`compare`), each miss and extra with its sentence (`report`).

    scores.py    the reference definitions, keeping every scored item (hit / extra / missed)
    per_rule.py  true positives, false positives and near misses per rule_id
    compare.py   two runs against the same gold
    report.py    the text or JSON `provnews evaluate` prints
    sets.py      every gold set run and scored (`provnews evaluate-sets`)
"""
from __future__ import annotations

from pipeline.evaluate.compare import TableChange, compare
from pipeline.evaluate.matching import content_words, dice, match_items
from pipeline.evaluate.per_rule import NO_RULE, RuleCounts, per_rule
from pipeline.evaluate.report import report
from pipeline.evaluate.scores import Evaluation, Item, evaluate, load_gold

__all__ = ["NO_RULE", "Evaluation", "Item", "RuleCounts", "TableChange", "compare", "content_words", "dice",
           "evaluate", "load_gold", "match_items", "per_rule", "report"]
