"""What each rule does on the gold set: its true positives, its false positives, and the gold
items it came nearest to without matching (the rule to look at for that miss)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from pipeline.evaluate.scores import Item

NO_RULE = "(no rule)"  # a miss that no unmatched prediction shares a content word with


@dataclass(frozen=True)
class RuleCounts:
    table: str
    rule_id: str
    tp: int
    fp: int
    near_misses: int  # gold items missed whose nearest unmatched prediction this rule made

    @property
    def wrong(self) -> int:
        return self.fp + self.near_misses

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def per_rule(items: Iterable[Item]) -> list[RuleCounts]:
    """Counts per (table, rule_id), worst first: most false positives plus near misses, then
    the lowest precision; the misses no rule came near last. The tp and fp of a table's rules
    add up to its tp and predicted, their near misses and the last rows to its missed gold."""
    counts: dict[tuple[str, str], list[int]] = {}
    for item in items:
        tally = counts.setdefault((item.table, item.rule_id or NO_RULE), [0, 0, 0])
        tally[("hit", "extra", "missed").index(item.outcome)] += 1
    rows = [RuleCounts(table, rule, *tally) for (table, rule), tally in counts.items()]
    return sorted(rows, key=lambda r: (r.rule_id == NO_RULE, -r.wrong, r.precision, -r.tp, r.table, r.rule_id))


def per_rule_lines(rows: list[RuleCounts]) -> list[str]:
    if not rows:
        return []
    width = max(len(r.rule_id) for r in rows)
    out = ["per rule, worst first (tp, fp, near = gold items missed whose nearest unmatched prediction came from the rule):"]
    out += [f"  {r.table:16} {r.rule_id:{width}}  tp={r.tp:<4} fp={r.fp:<4} near={r.near_misses}" for r in rows]
    return out
