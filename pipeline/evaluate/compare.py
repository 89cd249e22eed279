"""What changed between two runs scored against the same gold: the gold items a change gained
and lost, the false positives it added and removed, and the F1 change per table."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from pipeline.errors import ConfigError
from pipeline.evaluate.matching import ALL_SCORED_TABLES
from pipeline.evaluate.scores import Evaluation, Item


@dataclass(frozen=True)
class TableChange:
    table: str
    f1_before: float
    f1_after: float
    gained: list[Item]  # gold items matched now and missed by the baseline (as matched now)
    lost: list[Item]  # gold items the baseline matched and this run misses (as the baseline matched them)
    new_extras: list[Item]  # false positives this run has and the baseline had not
    gone_extras: list[Item]  # false positives of the baseline this run no longer makes

    @property
    def f1_change(self) -> float:
        return round(self.f1_after - self.f1_before, 4)

    def as_dict(self) -> dict:
        def shown(items: list[Item]) -> list[dict]:
            return [{"article_id": i.article_id, "item": i.shown, "rule_id": i.rule_id} for i in items]

        return {"f1_before": self.f1_before, "f1_after": self.f1_after, "f1_change": self.f1_change,
                "gained": shown(self.gained), "lost": shown(self.lost),
                "new_extras": shown(self.new_extras), "gone_extras": shown(self.gone_extras)}


def _missing_from(items: list[Item], other: list[Item], key: Callable[[Item], Hashable]) -> list[Item]:
    """The items of `items` that `other` lacks, counting repeats (two equal gold items are two)."""
    left = Counter(key(i) for i in other)
    out = []
    for item in items:
        if left[key(item)]:
            left[key(item)] -= 1
        else:
            out.append(item)
    return out


def _of(evaluation: Evaluation, table: str, outcome: str) -> list[Item]:
    return [i for i in evaluation.items if i.table == table and i.outcome == outcome]


def _gold_key(item: Item) -> tuple:
    return item.article_id, item.gold


def _predicted_key(item: Item) -> tuple:
    return item.article_id, item.predicted


def compare(baseline: Evaluation, current: Evaluation) -> list[TableChange]:
    """Per scored table, `current` against `baseline`; both must be scored on the same gold."""
    if baseline.gold_ids != current.gold_ids:
        raise ConfigError("--baseline: the two runs were scored against different gold articles")
    changes = []
    for table in ALL_SCORED_TABLES:
        hits_before, hits_now = _of(baseline, table, "hit"), _of(current, table, "hit")
        extras_before, extras_now = _of(baseline, table, "extra"), _of(current, table, "extra")
        changes.append(TableChange(
            table, baseline.scores[table]["f1"], current.scores[table]["f1"],
            gained=_missing_from(hits_now, hits_before, _gold_key),
            lost=_missing_from(hits_before, hits_now, _gold_key),
            new_extras=_missing_from(extras_now, extras_before, _predicted_key),
            gone_extras=_missing_from(extras_before, extras_now, _predicted_key),
        ))
    return changes


def compare_lines(changes: list[TableChange], baseline_name: str) -> list[str]:
    out = [f"changes against the baseline {baseline_name} (same gold):"]
    for c in changes:
        out.append(f"  {c.table:16} F1 {c.f1_before:.3f} -> {c.f1_after:.3f} ({c.f1_change:+.3f})"
                   f"  gained {len(c.gained)}, lost {len(c.lost)};"
                   f" false positives +{len(c.new_extras)} -{len(c.gone_extras)}")
    for c in changes:
        for sign, what, items in (("+", "gained", c.gained), ("-", "lost", c.lost),
                                  ("!", "new false positive", c.new_extras)):
            out += [f"  {sign} {c.table} {i.article_id}: {what} {i.shown[:120]!r} [{i.rule_id or 'no rule'}]"
                    for i in items]
    return out
