"""Scores of a run against gold annotations, by the same definitions as the reference scorer
(`../shared/tools/score.py`): communes by ward_code sets, officials by name_key sets (titles
matched on found officials), difficulties/recommendations matched one-to-one by content-word
Dice >= 0.5. Micro-averaged over the gold articles.

Besides the numbers, every scored item is kept (`Item`: hit, extra or missed) with the rule
that made it and its sentence, so a researcher can see which rule made a wrong row.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.commits import committed
from pipeline.errors import ConfigError
from pipeline.evaluate.matching import BEYOND_REFERENCE, TEXT_TABLES, Counts, content_words, dice, match_items
from pipeline.tables import load_tables
from pipeline.textnorm import fold_chars, name_key

# Words that say what kind of unit a name is, not which: "Tan An ward" is not near "Hoa An ward".
PLACE_WORDS = frozenset({"commune", "communes", "ward", "wards", "special", "zone", "xa", "phuong"})
# Display only: where a sentence ends in article text (the tables keep no sentence for communes).
SENTENCE_END = re.compile(r"(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bMrs)(?<!\bNo)[.!?][\"”’)]*\s+|\n")


@dataclass(frozen=True)
class Item:
    """One scored item of one article: a hit (a prediction that matched gold), an extra (a
    prediction without gold) or a miss (gold without prediction)."""

    table: str
    article_id: str
    outcome: str  # hit / extra / missed
    gold: str | None  # the gold item as scored (ward_code, name_key or text); None for an extra
    predicted: str | None  # the prediction as scored; None for a miss
    shown: str  # what a reader recognises: "06529 Lộc Bình ('Loc Binh')", the item text, ...
    rule_id: str | None  # the rule that fired (communes, officials: at the first mention);
    # for a miss, the rule of the nearest unmatched prediction
    sentence: str | None
    nearest: str | None = None  # for a miss: the nearest unmatched prediction, as shown


@dataclass(frozen=True)
class _Prediction:
    key: str  # what is scored
    shown: str
    rule_id: str | None
    sentence: str | None
    words: frozenset[str]  # compared with a missed gold item to find the nearest prediction


@dataclass
class Evaluation:
    scores: dict[str, dict] = field(default_factory=dict)  # the reference scorer's, then BEYOND_REFERENCE's
    errors: list[str] = field(default_factory=list)  # the reference scorer's lines, in its order
    items: list[Item] = field(default_factory=list)
    gold_ids: frozenset[str] = frozenset()

    def lines(self) -> list[str]:
        a = self.scores["articles"]
        out = [f"articles: {a['processed']}/{a['gold']} processed"]
        for table in ("communes", "officials", *TEXT_TABLES):
            r = self.scores[table]
            out.append(f"{table:16} P={r['precision']:.3f} R={r['recall']:.3f} F1={r['f1']:.3f}"
                       f"  (tp={r['tp']} predicted={r['predicted']} gold={r['gold']})")
        t = self.scores["official_titles"]
        out.append(f"{'official titles':16} recall={t['recall']:.3f} ({t['matched']}/{t['gold']})")
        for table in BEYOND_REFERENCE:
            r = self.scores[table]
            out.append(f"{table:16} P={r['precision']:.3f} R={r['recall']:.3f} F1={r['f1']:.3f}"
                       f"  (tp={r['tp']} predicted={r['predicted']} gold={r['gold']}; not in score.py)")
        return out


GOLD_OBJECT_LISTS = {"communes": "ward_code", "officials": "name"}
GOLD_TEXT_LISTS = ("difficulties", "recommendations", "directions")


def _gold_shape_problem(record: dict) -> str | None:
    """What is wrong with a gold record's lists, before it skews a score: a commune without its
    code, an official without a name, a statement that is not a phrase ("difficulties": [5])."""
    for key, needed in GOLD_OBJECT_LISTS.items():
        items = record.get(key, [])
        if not isinstance(items, list):
            return f"'{key}' must be a list, got {items!r}"
        for i, item in enumerate(items):
            if not isinstance(item, dict) or needed not in item:
                return f"{key}[{i}]: an object with '{needed}' is expected, got {item!r}"
            titles = item.get("titles", [])
            if key == "officials" and not (isinstance(item["name"], str) and isinstance(titles, list)
                                           and all(isinstance(t, str) for t in titles)):
                return f"officials[{i}]: 'name' must be text and 'titles' a list of text, got {item!r}"
    for key in GOLD_TEXT_LISTS:
        items = record.get(key, [])
        if not isinstance(items, list) or not all(isinstance(t, str) and t.strip() for t in items):
            return f"'{key}' must be a list of phrases, got {items!r}"
    return None


def load_gold(gold_dir: Path) -> dict[str, dict]:
    gold = {}
    for path in sorted(Path(gold_dir).glob("*.json")):
        try:
            record = json.loads(path.read_text("utf-8"))
            if not isinstance(record, dict):
                raise TypeError(f"a JSON object with 'id' is expected, got {type(record).__name__}")
            gold[str(record["id"])] = record
        except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not a gold annotation file ({type(exc).__name__}: {exc})") from None
        problem = _gold_shape_problem(record)
        if problem:
            raise ConfigError(f"{path}: not a gold annotation file ({problem})")
    if not gold:
        raise ConfigError(f"{gold_dir}: no gold *.json files")
    return gold


def _by_article(df: pd.DataFrame, ids: set[str]) -> dict[str, pd.DataFrame]:
    df = df[df["article_id"].astype(str).isin(ids)]
    return {str(k): g for k, g in df.groupby(df["article_id"].astype(str))}


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of the article text that holds [start, end)."""
    begin = 0
    for found in SENTENCE_END.finditer(text, 0, start):
        begin = found.end()
    after = SENTENCE_END.search(text, end)
    return text[begin: after.start() + 1 if after else len(text)].strip()


def sentence_of(text: str, phrase: str) -> str | None:
    """The sentence where a gold phrase stands, compared without case or diacritics."""
    at = fold_chars(text).find(fold_chars(phrase).strip()) if phrase.strip() else -1
    return sentence_around(text, at, at + len(phrase)) if at >= 0 else None


def _row_sentence(row: Any, text: str) -> str | None:
    """A row's sentence: its `sentence` column, or (directions written before 2026-12-01 kept
    none) the sentence of the article text around its offsets."""
    sentence = _opt(getattr(row, "sentence", None))
    if sentence is None and text and _opt(getattr(row, "start_char", None)) is not None:
        return sentence_around(text, int(row.start_char), int(row.end_char))
    return sentence


def _opt(value: object) -> str | None:
    """A table cell as text, None when missing (pandas gives NaN or None)."""
    return None if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else str(value)


def _place_words(*names: str | None) -> frozenset[str]:
    return frozenset(content_words(" ".join(n for n in names if n))) - PLACE_WORDS


def _misses(table: str, aid: str, missed: list[tuple[str, str, frozenset[str], str | None]],
            unmatched: list[_Prediction]) -> list[Item]:
    """Gold items nothing matched, each with the unmatched prediction sharing most words."""
    items = []
    for gold, shown, words, sentence in missed:
        near = max(unmatched, key=lambda p: dice(words, p.words), default=None)
        if near is not None and dice(words, near.words) == 0:
            near = None
        items.append(Item(table, aid, "missed", gold, None, shown, near.rule_id if near else None,
                          sentence or (near.sentence if near else None), near.shown if near else None))
    return items


def _score_communes(gold: dict[str, dict], communes: dict[str, pd.DataFrame], texts: dict[str, str],
                    result: Evaluation) -> None:
    counts = Counts()
    for aid, record in gold.items():
        want = {str(c["ward_code"]).zfill(5): c for c in record.get("communes", [])}
        rows = communes[aid].sort_values("start_char", kind="stable") if aid in communes else None
        text = texts.get(aid, "")
        first: dict[str, _Prediction] = {}  # ward_code → its first mention
        unlinked: list[_Prediction] = []  # rows that predict no code (former, unresolved)
        for row in rows.itertuples() if rows is not None else ():
            code, name = _opt(row.ward_code), _opt(row.ward_name) or _opt(row.legacy_name)
            shown = " ".join(filter(None, (code or _opt(row.method), name, f"({row.mention!r})")))
            prediction = _Prediction(code.zfill(5) if code else "", shown, _opt(row.rule_id),
                                     sentence_around(text, row.start_char, row.end_char),
                                     _place_words(row.mention, name))
            if code is None:
                unlinked.append(prediction)
            else:
                first.setdefault(prediction.key, prediction)
        got = set(first)
        counts.add(len(set(want) & got), len(got), len(want))
        result.errors += [f"communes: {aid}: extra {c}" for c in sorted(got - set(want))]
        result.errors += [f"communes: {aid}: missed {c}" for c in sorted(set(want) - got)]
        for code in sorted(got):
            p = first[code]
            outcome = "hit" if code in want else "extra"
            result.items.append(Item("communes", aid, outcome, code if code in want else None, code, p.shown,
                                     p.rule_id, p.sentence))
        missed = [(code, f"{code} {want[code].get('ward_name', '')} ({want[code].get('mention', '')!r})",
                   _place_words(want[code].get("mention"), want[code].get("ward_name")),
                   sentence_of(text, str(want[code].get("mention", ""))))
                  for code in sorted(set(want) - got)]
        unmatched = [first[c] for c in sorted(got - set(want))] + unlinked
        result.items += _misses("communes", aid, missed, unmatched)
    result.scores["communes"] = counts.as_dict()


def _score_officials(gold: dict[str, dict], officials: dict[str, pd.DataFrame], texts: dict[str, str],
                     result: Evaluation) -> None:
    counts = Counts()
    title_hits = title_total = 0
    for aid, record in gold.items():
        want = {name_key(o["name"]): o for o in record.get("officials", [])}
        text = texts.get(aid, "")
        got: dict[str, list[str]] = {}
        first: dict[str, _Prediction] = {}
        if aid in officials:
            for row in officials[aid].itertuples():
                key = name_key(str(row.name_key))
                got.setdefault(key, []).extend(list(row.titles) if row.titles is not None else [])
                first.setdefault(key, _Prediction(key, str(row.name), _opt(row.rule_id),
                                                  sentence_around(text, row.start_char, row.end_char),
                                                  frozenset(key.split())))
        counts.add(len(set(want) & set(got)), len(got), len(want))
        for key in set(want) & set(got):
            gold_titles = want[key].get("titles", [])
            title_hits += len(match_items(got[key], gold_titles))
            title_total += len(gold_titles)
        result.errors += [f"officials: {aid}: extra {k!r}" for k in sorted(set(got) - set(want))]
        result.errors += [f"officials: {aid}: missed {k!r}" for k in sorted(set(want) - set(got))]
        for key in sorted(got):
            p = first[key]
            result.items.append(Item("officials", aid, "hit" if key in want else "extra", key if key in want else None,
                                     key, p.shown, p.rule_id, p.sentence))
        missed = [(key, str(want[key]["name"]), frozenset(key.split()), sentence_of(text, str(want[key]["name"])))
                  for key in sorted(set(want) - set(got))]
        result.items += _misses("officials", aid, missed, [first[k] for k in sorted(set(got) - set(want))])
    result.scores["officials"] = counts.as_dict()
    result.scores["official_titles"] = {"recall": round(title_hits / title_total, 4) if title_total else 1.0,
                                        "matched": title_hits, "gold": title_total}


def _score_items(table: str, gold: dict[str, dict], rows: dict[str, pd.DataFrame], texts: dict[str, str],
                 result: Evaluation, reference: bool = True) -> None:
    """A table of text items, matched one-to-one by content-word Dice; `reference`: a table the
    reference scorer reports too, whose lines go to `result.errors` as it prints them."""
    counts = Counts()
    errors: list[str] = []
    for aid, record in gold.items():
        want = [str(t) for t in record.get(table, [])]
        frame = rows.get(aid)
        predictions = [] if frame is None else [
            _Prediction(str(r.text), str(r.text), _opt(r.rule_id), _row_sentence(r, texts.get(aid, "")),
                        frozenset(content_words(str(r.text))))
            for r in frame.itertuples()]
        got = [p.key for p in predictions]
        matches = match_items(got, want)
        counts.add(len(matches), len(got), len(want))
        hit_p, hit_g = {i: j for i, j, _ in matches}, {j for _, j, _ in matches}
        errors += [f"{table}: {aid}: extra {t[:120]!r}" for i, t in enumerate(got) if i not in hit_p]
        errors += [f"{table}: {aid}: missed {t[:120]!r}" for j, t in enumerate(want) if j not in hit_g]
        for i, p in enumerate(predictions):
            gold_item = want[hit_p[i]] if i in hit_p else None
            result.items.append(Item(table, aid, "hit" if i in hit_p else "extra", gold_item, p.key, p.shown,
                                     p.rule_id, p.sentence))
        missed = [(t, t, frozenset(content_words(t)), sentence_of(texts.get(aid, ""), t))
                  for j, t in enumerate(want) if j not in hit_g]
        result.items += _misses(table, aid, missed, [p for i, p in enumerate(predictions) if i not in hit_p])
    result.scores[table] = counts.as_dict()
    if reference:
        result.errors += errors


def evaluate(gold_dir: str | Path, processed: str | Path) -> Evaluation:
    """Score the tables in `processed` against the gold files in `gold_dir`."""
    gold = load_gold(Path(gold_dir))
    if not Path(processed).is_dir():
        raise ConfigError(f"{processed}: no such tables folder")
    if committed(Path(processed)) is None:
        raise ConfigError(f"{processed}: not a tables folder written by `provnews run` (nothing committed in it)")
    tables = load_tables(processed)
    ids = set(gold)
    result = Evaluation(gold_ids=frozenset(ids))
    articles = tables["articles"]
    texts = dict(zip(articles["article_id"].astype(str), articles["text"]))
    seen = set(texts) & ids
    result.scores["articles"] = {"gold": len(ids), "processed": len(seen)}
    result.errors += [f"articles: {m}: not in the articles table" for m in sorted(ids - seen)]
    _score_communes(gold, _by_article(tables["communes"], ids), texts, result)
    _score_officials(gold, _by_article(tables["officials"], ids), texts, result)
    for table in TEXT_TABLES:
        _score_items(table, gold, _by_article(tables[table], ids), texts, result)
    for table in BEYOND_REFERENCE:
        _score_items(table, gold, _by_article(tables[table], ids), texts, result, reference=False)
    return result
