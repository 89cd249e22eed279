"""Which province an article is about: the newspaper's host, the `Source:` URL, the text.

The answer is an ordered list of 2025 province codes, most likely first; linking uses it as
context (28% of unit names exist in more than one province).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from pipeline.gazetteer import load_gazetteer
from pipeline.rules import RuleSet, cached_rules
from pipeline.textnorm import fold, fold_chars

HOST_WEIGHT = 10
KEYWORD_WEIGHT = 3
BARE_WEIGHT = 1
_PROVINCE_AFTER = re.compile(r"\s+(?:province|provincial|city|city's|province's)\b")
_PROVINCE_BEFORE = re.compile(r"\b(?:province|city) of\s+$")
# "Tan Ky district", and what is named after a province's name or after President Ho Chi Minh:
# "the Ho Chi Minh Trail", "Ho Chi Minh National Academy", "Hanoi Highway" (a road in HCMC)
_NOT_PROVINCE_AFTER = re.compile(r"\s+(?:commune|ward|town|market|district|village|lake|street|trail|road|highway|"
                                 r"expressway|avenue|boulevard|square|mausoleum|museum|academy|national\s+academy|"
                                 r"thought|ideology|statue|memorial|bridge|route)\b")
# A person's name that is also a province's (`person_names` in rules/sources.yaml): "President
# Ho Chi Minh", "Uncle Ho Chi Minh", "Ho Chi Minh's thought" are not the city.
_PERSON_BEFORE = re.compile(r"\b(?:president|uncle)\s+$")
_PERSON_AFTER = re.compile(r"['’]s\b")
LOCAL_REACH = 48  # characters read around a mention for the province it names for itself
_POSSESSIVE_TAIL = re.compile(r"(?:\s+(?:province|city))?['’]s\s+")
_URL_WORD = re.compile(r"[a-z0-9]+")
# Vietnamese unit words just before a name in a URL: the commune (xa), ward (phuong), special zone
# (dac khu), district (huyen, quan), town (thi xa, thi tran), street (duong), bridge (cau), river (song)
_UNIT_BEFORE_IN_URL = re.compile(r"\b(?:xa|phuong|dac khu|huyen|quan|thi xa|thi tran|duong|cau|song)\s+$")
_LOCAL_LEAD = re.compile(r"(?:\s+(?:commune|ward|town|special zone))?\s*(?:,|\(|\s+in\s+|\s+of\s+)\s*")


@lru_cache(maxsize=8)
def _host_table(rules_dir: str) -> dict[str, str]:
    """Known newspaper host → 2025 province code, built once per rules folder."""
    gazetteer = load_gazetteer()
    table = {}
    for host, province in (cached_rules(rules_dir).lexicon("sources", "hosts") or {}).items():
        code = gazetteer.province_by_name.get(fold(province))
        if code:
            table[host.lower().lstrip(".")] = code
    return table


def host_provinces(hosts: Iterable[str | None], rules: RuleSet) -> list[str]:
    """Province codes of known newspaper hosts (a host matches its subdomains too: the host
    and each parent domain are looked up)."""
    table = _host_table(str(rules.directory))
    codes = []
    for host in hosts:
        if not host:
            continue
        labels = host.lower().split(".")
        for start in range(len(labels) - 1):
            code = table.get(".".join(labels[start:]))
            if code and code not in codes:
                codes.append(code)
    return codes


@lru_cache(maxsize=8)
def _province_names(rules_dir: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """One regex over every province name and alias (longest first), built once per rules folder."""
    gazetteer, rules = load_gazetteer(), cached_rules(rules_dir)
    names = dict(gazetteer.province_by_name)
    for alias, province in (rules.lexicon("sources", "province_aliases") or {}).items():
        code = gazetteer.province_by_name.get(fold(province))
        if code:
            names[fold(alias)] = code
    alternatives = sorted(names, key=len, reverse=True)
    return re.compile(rf"\b(?:{_by_first_letter(alternatives)})\b"), names


def _by_first_letter(names: list[str]) -> str:
    """`name|name|...` (words joined by spaces or hyphens) with the names grouped by their first
    letter, each group in the given order. Only one group can match at a position, so the
    matches are those of the flat alternation, but the regex engine tries one group there, not
    every name: the text scan takes half the time."""
    split = [name.split() for name in names]
    if not all(split):  # a blank name matches anywhere, and where it stands in the order counts
        return "|".join(r"[\s-]+".join(map(re.escape, words)) for words in split)
    groups: dict[str, list[str]] = {}
    for words in split:
        escaped = r"[\s-]+".join(map(re.escape, words))
        groups.setdefault(words[0][0], []).append(escaped[len(re.escape(words[0][0])):])
    return "|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in groups.items())


@lru_cache(maxsize=8)
def _person_names(rules_dir: str) -> frozenset[str]:
    """Folded `person_names` of rules/sources.yaml, once per rules folder."""
    return frozenset(fold(name) for name in cached_rules(rules_dir).lexicon("sources", "person_names") or [])


def text_province_scores(text: str, rules: RuleSet) -> Counter[str]:
    """Score provinces by their names in the text; 'X province' counts more than a bare 'X'."""
    pattern, names = _province_names(str(rules.directory))
    persons = _person_names(str(rules.directory))
    folded = fold_chars(text)
    scores: Counter[str] = Counter()
    for match in pattern.finditer(folded):
        if not text[match.start()].isupper():
            continue
        after = folded[match.end(): match.end() + 24]
        before = folded[max(0, match.start() - 16): match.start()]
        if _NOT_PROVINCE_AFTER.match(after):
            continue
        if fold(match.group(0)) in persons and (_PERSON_BEFORE.search(before) or _PERSON_AFTER.match(after)):
            continue
        keyworded = _PROVINCE_AFTER.match(after) or _PROVINCE_BEFORE.search(before)
        scores[names[fold(match.group(0))]] += KEYWORD_WEIGHT if keyworded else BARE_WEIGHT
    return scores


def url_province_scores(url: str | None, rules: RuleSet) -> Counter[str]:
    """Score provinces by their names in a URL's path. Vietnamese papers make the path from the
    headline in Vietnamese ("/chu-tich-vinh-long-kiem-tra-..."), which names the province where
    the English text says only "the Provincial People's Committee". A name after a unit word
    ("xa-", "phuong-": the commune or ward of that name) or before one does not count."""
    if not url:
        return Counter()
    pattern, names = _province_names(str(rules.directory))
    words = " ".join(_URL_WORD.findall(fold_chars(unquote(urlsplit(url).path))))
    scores: Counter[str] = Counter()
    for match in pattern.finditer(words):
        if _UNIT_BEFORE_IN_URL.search(words, 0, match.start()) or _NOT_PROVINCE_AFTER.match(words[match.end():]):
            continue
        scores[names[fold(match.group(0))]] += BARE_WEIGHT
    return scores


def local_province(text: str, start: int, end: int, rules: RuleSet) -> str | None:
    """The province a mention names for itself, whatever the article is about: "Hanoi's Huong
    Son Commune", "Ngoc Linh Commune, Quang Ngai Province", "Phu Loc commune (Hue)", "X ward
    in Hanoi". None when the words around it name none."""
    pattern, names = _province_names(str(rules.directory))
    before = fold_chars(text[max(0, start - LOCAL_REACH):start])
    for found in pattern.finditer(before):
        if _POSSESSIVE_TAIL.fullmatch(before, found.end()):
            return names[fold(found.group(0))]
    after = fold_chars(text[end:end + LOCAL_REACH])
    lead = _LOCAL_LEAD.match(after)
    if lead:
        found = pattern.match(after, lead.end())
        if found and not _NOT_PROVINCE_AFTER.match(after, found.end()):
            return names[fold(found.group(0))]
    return None


def article_provinces(named: Counter[str], hosts: Iterable[str | None], rules: RuleSet) -> list[str]:
    """Ordered province context: known hosts first, then the provinces named in the text
    (`text_province_scores`)."""
    scores = Counter(named)
    for code in host_provinces(hosts, rules):
        scores[code] += HOST_WEIGHT
    return [code for code, _ in scores.most_common()]
