"""Scores of a run against gold annotations, by the same definitions as the reference scorer
(`../shared/tools/score.py`): communes by ward_code sets, officials by name_key sets (titles
matched on found officials), difficulties/recommendations matched one-to-one by content-word
Dice >= 0.5. Micro-averaged over the gold articles."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.errors import ConfigError
from pipeline.tables import load_tables
from pipeline.textnorm import FUNCTION_WORDS, fold, name_key

TEXT_TABLES = ("difficulties", "recommendations")
MATCH_AT = 0.5


def content_words(text: str) -> set[str]:
    return {w for w in fold(text).split() if w not in FUNCTION_WORDS}


def dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


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


@dataclass
class Evaluation:
    scores: dict[str, dict] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        a = self.scores["articles"]
        out = [f"articles: {a['processed']}/{a['gold']} processed"]
        for table in ("communes", "officials", *TEXT_TABLES):
            r = self.scores[table]
            out.append(f"{table:16} P={r['precision']:.3f} R={r['recall']:.3f} F1={r['f1']:.3f}"
                       f"  (tp={r['tp']} predicted={r['predicted']} gold={r['gold']})")
        t = self.scores["official_titles"]
        out.append(f"{'official titles':16} recall={t['recall']:.3f} ({t['matched']}/{t['gold']})")
        return out


def load_gold(gold_dir: Path) -> dict[str, dict]:
    gold = {}
    for path in sorted(Path(gold_dir).glob("*.json")):
        try:
            record = json.loads(path.read_text("utf-8"))
            gold[str(record["id"])] = record
        except (json.JSONDecodeError, KeyError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not a gold annotation file ({type(exc).__name__}: {exc})") from None
    if not gold:
        raise ConfigError(f"{gold_dir}: no gold *.json files")
    return gold


def _by_article(df: pd.DataFrame, ids: set[str]) -> dict[str, pd.DataFrame]:
    df = df[df["article_id"].astype(str).isin(ids)]
    return {str(k): g for k, g in df.groupby(df["article_id"].astype(str))}


def evaluate(gold_dir: str | Path, processed: str | Path) -> Evaluation:
    gold = load_gold(Path(gold_dir))
    if not Path(processed).is_dir():
        raise ConfigError(f"{processed}: no such tables folder")
    tables = load_tables(processed)
    ids = set(gold)
    result = Evaluation()
    seen = set(tables["articles"]["article_id"].astype(str)) & ids
    result.scores["articles"] = {"gold": len(ids), "processed": len(seen)}
    result.errors += [f"articles: {m}: not in the articles table" for m in sorted(ids - seen)]

    communes, counts = _by_article(tables["communes"], ids), Counts()
    for aid, record in gold.items():
        want = {str(c["ward_code"]).zfill(5) for c in record.get("communes", [])}
        got = {str(c).zfill(5) for c in communes[aid]["ward_code"].dropna()} if aid in communes else set()
        counts.add(len(want & got), len(got), len(want))
        result.errors += [f"communes: {aid}: extra {c}" for c in sorted(got - want)]
        result.errors += [f"communes: {aid}: missed {c}" for c in sorted(want - got)]
    result.scores["communes"] = counts.as_dict()

    officials, counts = _by_article(tables["officials"], ids), Counts()
    title_hits = title_total = 0
    for aid, record in gold.items():
        want = {name_key(o["name"]): o for o in record.get("officials", [])}
        got: dict[str, list[str]] = {}
        if aid in officials:
            for key, titles in zip(officials[aid]["name_key"], officials[aid]["titles"]):
                got.setdefault(name_key(str(key)), []).extend(list(titles) if titles is not None else [])
        counts.add(len(set(want) & set(got)), len(got), len(want))
        for key in set(want) & set(got):
            gold_titles = want[key].get("titles", [])
            title_hits += len(match_items(got[key], gold_titles))
            title_total += len(gold_titles)
        result.errors += [f"officials: {aid}: extra {k!r}" for k in sorted(set(got) - set(want))]
        result.errors += [f"officials: {aid}: missed {k!r}" for k in sorted(set(want) - set(got))]
    result.scores["officials"] = counts.as_dict()
    result.scores["official_titles"] = {"recall": round(title_hits / title_total, 4) if title_total else 1.0,
                                        "matched": title_hits, "gold": title_total}

    for table in TEXT_TABLES:
        rows, counts = _by_article(tables[table], ids), Counts()
        for aid, record in gold.items():
            want = [str(t) for t in record.get(table, [])]
            got = [str(t) for t in rows[aid]["text"]] if aid in rows else []
            matches = match_items(got, want)
            counts.add(len(matches), len(got), len(want))
            hit_p, hit_g = {i for i, _, _ in matches}, {j for _, j, _ in matches}
            result.errors += [f"{table}: {aid}: extra {t[:120]!r}" for i, t in enumerate(got) if i not in hit_p]
            result.errors += [f"{table}: {aid}: missed {t[:120]!r}" for j, t in enumerate(want) if j not in hit_g]
        result.scores[table] = counts.as_dict()
    return result
