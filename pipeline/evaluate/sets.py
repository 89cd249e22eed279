"""Every gold set at once: the shared corpus and each real set of `tests/corpus/`, run with the
rules in use and scored, a line a set. A rule change that helps only the set whose errors were
read is a rule for those sentences: this is how a researcher sees the other sets move too.
"""
from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.evaluate.matching import ALL_SCORED_TABLES, SCORED_TABLES
from pipeline.evaluate.scores import evaluate
from pipeline.settings import Settings

CHECKOUT = Path(__file__).resolve().parent.parent.parent
SHARED_CORPUS = CHECKOUT.parent / "shared" / "corpus"


@dataclass(frozen=True)
class GoldSet:
    name: str
    articles: Path  # the set's articles.jsonl
    gold: Path  # its folder of <id>.json gold files


def gold_sets(checkout: Path = CHECKOUT, shared: Path = SHARED_CORPUS) -> list[GoldSet]:
    """The shared corpus (when it is beside the checkout), then the sets of `tests/corpus/`."""
    folders = [shared] if shared.is_dir() else []
    folders += sorted(p for p in (checkout / "tests" / "corpus").glob("*") if p.is_dir())
    return [GoldSet("corpus" if folder == shared else folder.name, folder / "articles.jsonl", folder / "gold")
            for folder in folders if (folder / "articles.jsonl").is_file() and (folder / "gold").is_dir()]


def score_sets(sets: list[GoldSet], settings: Settings, out: Path | None = None, rules_only: bool = False,
               report: Callable[[str], None] | None = None) -> dict[str, dict]:
    """Each set run into its own tables folder (under `out`, else a temporary one) and scored.
    A folder that already exists is refused: a run there would skip the articles it holds."""
    from pipeline.run import run  # the pipeline only when sets are run, not to list them

    if out is not None:
        taken = [str(out / s.name) for s in sets if (out / s.name).exists()]
        if taken:
            raise ConfigError(f"{', '.join(taken)}: already exists; give an --out folder without these sets")
    with tempfile.TemporaryDirectory(prefix="provnews-sets-") as scratch:
        base = out if out is not None else Path(scratch)
        results = {}
        for gold_set in sets:
            if report:
                report(f"running {gold_set.name} ({gold_set.articles})")
            tables = base / gold_set.name
            run([gold_set.articles], tables, settings, rules_only=rules_only, progress=False)
            results[gold_set.name] = evaluate(gold_set.gold, tables).scores
    return results


def lines(results: dict[str, dict]) -> list[str]:
    """F1 (precision/recall) per table, title recall: a row a set."""
    head = f"{'set':10}" + "".join(f"{table:>21}" for table in ALL_SCORED_TABLES) + f"{'titles R':>10}"
    rows = [head]
    for name, scores in results.items():
        cells = "".join(f"{scores[t]['f1']:>9.3f} ({scores[t]['precision']:.2f}/{scores[t]['recall']:.2f})"
                        for t in ALL_SCORED_TABLES)
        rows.append(f"{name:10}{cells}{scores['official_titles']['recall']:>10.3f}")
    return rows


def load_baseline(path: Path) -> dict[str, dict]:
    """Scores saved by an earlier `evaluate-sets --json`: what a rule change is measured against."""
    try:
        baseline = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the baseline ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise ConfigError(f"{path}: not the JSON that `provnews evaluate-sets --json` writes ({exc})") from None
    if not isinstance(baseline, dict) or not all(isinstance(v, dict) and set(SCORED_TABLES) <= set(v)
                                                 for v in baseline.values()):
        raise ConfigError(f"{path}: not the JSON that `provnews evaluate-sets --json` writes "
                          f"(a set name → scores of {', '.join(SCORED_TABLES)})")
    return baseline


def change_lines(results: dict[str, dict], baseline: dict[str, dict]) -> list[str]:
    """F1 per table against the baseline, a row a set: "0.705 -> 0.712 +" (+ better, - worse,
    a blank unchanged), so a change that helps one set and costs another shows at a glance."""
    head = f"{'set':10}" + "".join(f"{table:>24}" for table in ALL_SCORED_TABLES)
    rows = [head]
    for name, scores in results.items():
        before = baseline.get(name)
        if before is None:
            rows.append(f"{name:10}  (not in the baseline)")
            continue
        cells = ""
        for table in ALL_SCORED_TABLES:
            if table not in before:  # saved before directions were scored
                cells += f"{'(not in the baseline)':>24}"
                continue
            old, new = before[table]["f1"], scores[table]["f1"]
            mark = "+" if new - old > 0.0005 else "-" if old - new > 0.0005 else " "
            cells += f"{old:>10.3f} -> {new:.3f} {mark}"
        rows.append(f"{name:10}{cells}")
    return rows
