"""How far two annotations of the same articles agree: the second scored against the first with
the reference scorer's matching, per statement table. The rules' scores on a set mean little
without it: two careful readers are the ceiling a rule can hope for."""
from __future__ import annotations

from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.evaluate.matching import Counts, match_items
from pipeline.evaluate.scores import GOLD_TEXT_LISTS, load_gold


def agreement(first_dir: str | Path, second_dir: str | Path) -> dict[str, dict]:
    """Scores of `second_dir`'s statements against `first_dir`'s, on the articles both annotated."""
    first, second = load_gold(Path(first_dir)), load_gold(Path(second_dir))
    shared = sorted(set(first) & set(second))
    if not shared:
        raise ConfigError(f"{first_dir} and {second_dir} annotate no article in common")
    scores: dict[str, dict] = {}
    for table in GOLD_TEXT_LISTS:
        counts = Counts()
        for aid in shared:
            a, b = first[aid].get(table, []), second[aid].get(table, [])
            counts.add(len(match_items(b, a)), len(b), len(a))
        scores[table] = counts.as_dict()
    scores["articles"] = {"shared": len(shared), "first_only": len(set(first) - set(second)),
                          "second_only": len(set(second) - set(first))}
    return scores


def agreement_lines(scores: dict[str, dict]) -> list[str]:
    shared = scores["articles"]
    lines = [f"articles annotated by both: {shared['shared']} (first only {shared['first_only']}, "
             f"second only {shared['second_only']})"]
    for table in GOLD_TEXT_LISTS:
        s = scores[table]
        lines.append(f"{table:16} F1={s['f1']:.3f}  second against first: P={s['precision']:.3f} R={s['recall']:.3f}"
                     f"  (matched {s['tp']}, second {s['predicted']}, first {s['gold']})")
    return lines
