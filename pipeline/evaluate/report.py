"""`provnews evaluate` as one library call: the scores, the per-rule counts, optionally each
miss and extra with its sentence and rule, and the changes against a baseline run."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from pipeline.evaluate.compare import compare, compare_lines
from pipeline.evaluate.per_rule import per_rule, per_rule_lines
from pipeline.evaluate.scores import Evaluation, Item, evaluate


def error_lines(evaluation: Evaluation) -> list[str]:
    """Every miss and extra, with the rule that fired (for a miss: the rule of the nearest
    unmatched prediction) and the sentence it stands in."""
    out = [line for line in evaluation.errors if line.startswith("articles: ")]
    for item in evaluation.items:
        if item.outcome == "extra":
            out.append(f"{item.table}: {item.article_id}: extra {item.shown[:120]!r} [{item.rule_id}]")
        elif item.outcome == "missed":
            near = f"nearest {item.nearest[:80]!r} [{item.rule_id}]" if item.nearest else "no prediction came near"
            out.append(f"{item.table}: {item.article_id}: missed {item.shown[:120]!r} ({near})")
        else:
            continue
        out.append(f"    sentence: {item.sentence or '(not found in the article text)'}")
    return out


def _item_dict(item: Item) -> dict:
    return {k: v for k, v in asdict(item).items() if v is not None}


def report(gold_dir: str | Path, tables_dir: str | Path, baseline: str | Path | None = None,
           errors: bool = False, as_json: bool = False) -> str:
    """The text (or JSON) `provnews evaluate` prints. The scores are those of the reference
    scorer; JSON holds its keys plus `per_rule`, and `errors`/`baseline` when asked for."""
    current = evaluate(gold_dir, tables_dir)
    rules = per_rule(current.items)
    changes = compare(evaluate(gold_dir, baseline), current) if baseline is not None else None
    if as_json:
        data: dict = dict(current.scores)
        data["per_rule"] = [r.as_dict() for r in rules]
        if errors:
            data["errors"] = [_item_dict(i) for i in current.items if i.outcome != "hit"]
        if changes is not None:
            data["baseline"] = {"tables": str(baseline), **{c.table: c.as_dict() for c in changes}}
        return json.dumps(data, indent=1, ensure_ascii=False)
    lines = error_lines(current) if errors else []
    lines += current.lines() + [""] + per_rule_lines(rules)
    if changes is not None:
        lines += [""] + compare_lines(changes, str(baseline))
    return "\n".join(lines)
