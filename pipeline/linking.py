"""Commune mention → one 2025 unit: candidates first, then an explicit decision.

Decision order, in the article's provinces (most likely first): exact folded name of a 2025
unit; else the legacy unit of that name and the 2025 unit that absorbed it; else a fuzzy
match (rapidfuzz) above `fuzzy_threshold`. Without a province, a name unique in the country.
Ties stay visible (`ambiguous`), and a mention nothing matched keeps `method = "unresolved"`.
"""
from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from pipeline.gazetteer import Gazetteer, LegacyUnit, Unit
from pipeline.settings import LinkSettings
from pipeline.textnorm import fold, nfc


@dataclass(frozen=True)
class Link:
    """A 2025 unit (`ward_code`), or for a pre-merger name (method "legacy") the legacy unit and
    the 2025 unit it became (`becomes_code`): a former commune is not a mention of its successor."""

    ward_code: str | None
    ward_name: str | None
    division_type: str | None
    province_code: str | None
    province_name: str | None
    score: float
    method: str  # exact / folded / fuzzy / legacy / unresolved
    legacy_name: str | None = None
    legacy_code: str | None = None
    ambiguous: bool = False
    becomes_code: str | None = None
    becomes_name: str | None = None


UNRESOLVED = Link(None, None, None, None, None, 0.0, "unresolved")
OUT_OF_CONTEXT_SCORE = 80.0


def _from_unit(unit: Unit, mention: str, score: float, method: str | None = None, **extra) -> Link:
    if method is None:
        method = "exact" if nfc(mention).casefold() == unit.name.casefold() else "folded"
    return Link(unit.code, unit.name, unit.division_type, unit.province_code, unit.province_name,
                score, method, **extra)


def _pick(codes: set[str], gazetteer: Gazetteer, division_type: str | None) -> tuple[Unit, bool]:
    units = sorted((gazetteer.units[c] for c in codes), key=lambda u: u.code)
    if division_type and len(units) > 1:
        typed = [u for u in units if u.division_type == division_type]
        units = typed or units
    return units[0], len(units) > 1


def legacy_link(old: list[LegacyUnit], gazetteer: Gazetteer, prefer: frozenset[str] = frozenset()) -> Link | None:
    """The legacy unit of that name; among homonyms, one whose successor the article names."""
    targets = sorted((o for o in old if o.new_codes), key=lambda o: not (set(o.new_codes) & prefer))
    if not targets:
        return None
    first = targets[0]
    successor = next((c for c in first.new_codes if c in prefer), first.new_codes[0])
    unit = gazetteer.units[successor]
    preferred = [o for o in targets if set(o.new_codes) & prefer] or targets
    ambiguous = len({o.new_codes[0] for o in preferred}) > 1 or (len(first.new_codes) > 1 and successor not in prefer)
    return Link(None, None, None, unit.province_code, unit.province_name, 100.0, "legacy",
                legacy_name=first.name, legacy_code=first.code, ambiguous=ambiguous,
                becomes_code=unit.code, becomes_name=unit.name)


def link_mention(
    mention: str,
    gazetteer: Gazetteer,
    provinces: list[str],
    settings: LinkSettings,
    division_type: str | None = None,
    legacy_hint: bool = False,
    prefer: frozenset[str] = frozenset(),
    before_merger: bool = False,
) -> Link:
    """Resolve one mention (the name only, without 'commune'/'ward').

    `prefer`: 2025 codes the article names elsewhere; a former unit that became one of them
    is the likelier of homonymous former units ("Núa Ngam ... merged from Na Tông").
    `before_merger`: the article predates 1 July 2025, so a name means the unit of its day —
    the former unit, unless that unit lives on under the same name in 2025.
    """
    key = fold(mention)
    if not key:
        return UNRESOLVED
    exact = gazetteer.by_name.get(key, set())
    legacy = gazetteer.legacy_by_name.get(key, [])
    for province in provinces:
        in_province = {c for c in exact if gazetteer.units[c].province_code == province}
        old_here = [o for o in legacy if o.new_province_code == province]
        continues = any(o.new_codes[:1] and o.new_codes[0] in in_province for o in old_here)
        if old_here and (legacy_hint or not in_province or (before_merger and not continues)):
            link = legacy_link(old_here, gazetteer, prefer)
            if link:
                return link
        if in_province:
            unit, ambiguous = _pick(in_province, gazetteer, division_type)
            return _from_unit(unit, mention, 100.0, ambiguous=ambiguous)
    variants = gazetteer.legacy_by_keyword.get(key.replace(" ", ""), [])
    for province in provinces:  # the package's spelling variants and aliases ("May To" for Gia Viên)
        link = legacy_link([o for o in variants if o.new_province_code == province], gazetteer, prefer)
        if link:
            return link
    for province in provinces:
        names = gazetteer.names_by_province.get(province, {})
        found = process.extract(key, gazetteer.name_lists.get(province, []), scorer=fuzz.ratio,
                                score_cutoff=settings.fuzzy_unique_threshold,
                                limit=settings.candidates)
        if not found:
            continue
        best_name, best_score, _ = found[0]
        # Below the main threshold only a long-enough name with no rival in the province is
        # trusted: a tone mark or a letter off in "Huong Hiep" / "Hương Hiệp".
        unique = len(found) == 1 and len(key) >= settings.fuzzy_unique_min_chars
        if best_score >= settings.fuzzy_threshold or unique:
            unit, ambiguous = _pick(names[best_name], gazetteer, division_type)
            tied = any(score == best_score and name != best_name for name, score, _ in found[1:])
            return _from_unit(unit, mention, round(best_score, 1), "fuzzy", ambiguous=ambiguous or tied)
    if provinces and len(exact) == 1:
        # A name only one unit in the country has, outside the article's provinces: an article
        # about An Giang may name Côn Đảo (Hồ Chí Minh City). Kept, with a lower score.
        unit = gazetteer.units[next(iter(exact))]
        return _from_unit(unit, mention, OUT_OF_CONTEXT_SCORE)
    if not provinces:
        if exact:
            unit, ambiguous = _pick(exact, gazetteer, division_type)
            if not ambiguous:
                return _from_unit(unit, mention, 100.0)
            return Link(None, None, None, None, None, 0.0, "unresolved", ambiguous=True)
        if legacy and len({o.new_codes[:1] for o in legacy}) == 1:
            link = legacy_link(legacy, gazetteer, prefer)
            if link:
                return link
    return UNRESOLVED


def candidate_provinces(mention: str, gazetteer: Gazetteer) -> set[str]:
    """Provinces where a unit (2025 or legacy) of this name exists: votes for the context."""
    key = fold(mention)
    found = {gazetteer.units[c].province_code for c in gazetteer.by_name.get(key, ())}
    found |= {o.new_province_code for o in gazetteer.legacy_by_name.get(key, ())}
    return found
