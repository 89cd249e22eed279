"""`provnews gazetteer lookup`: the candidates for one name and why the linker picks its winner,
so a researcher can see how a commune mention will be linked before writing a rule for it."""
from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from pipeline.errors import ConfigError
from pipeline.gazetteer import MERGER_DATE, Gazetteer, load_gazetteer
from pipeline.linking import Link, link_mention
from pipeline.settings import LinkSettings
from pipeline.textnorm import fold


@dataclass
class Lookup:
    name: str
    province: str | None  # 2025 province code
    before_merger: bool
    link: Link
    candidates: list[str] = field(default_factory=list)  # one line per candidate

    def lines(self) -> list[str]:
        where = f" in province {self.province}" if self.province else " (no province given)"
        when = ", dated before 1 July 2025" if self.before_merger else ""
        out = [f"{self.name!r}{where}{when}:"]
        out += [f"  {line}" for line in self.candidates] or ["  no unit of this name, in 2025 or before"]
        out.append(f"winner: {_describe(self.link)}")
        out.append(f"why: {_why(self.link, self.province, self.before_merger)}")
        return out


def province_code(value: str, gazetteer: Gazetteer) -> str:
    """A 2025 province from its code, its name or a pre-2025 province's name, diacritics optional."""
    if value in gazetteer.provinces:
        return value
    code = gazetteer.province_by_name.get(fold(value))
    if code is None:
        known = ", ".join(sorted(p.name for p in gazetteer.provinces.values()))
        raise ConfigError(f"unknown province {value!r}; use a 2025 province name or code: {known}")
    return code


def lookup(name: str, province: str | None = None, date: str | None = None,
           settings: LinkSettings | None = None) -> Lookup:
    gazetteer = load_gazetteer()
    settings = settings or LinkSettings()
    code = province_code(province, gazetteer) if province else None
    old_days = bool(date) and str(date) < MERGER_DATE
    link = link_mention(name, gazetteer, [code] if code else [], settings, before_merger=old_days)
    return Lookup(name, code, old_days, link, _candidates(name, gazetteer, code, settings))


def _candidates(name: str, gazetteer: Gazetteer, province: str | None, settings: LinkSettings) -> list[str]:
    key = fold(name)
    lines = []
    units = [gazetteer.units[c] for c in sorted(gazetteer.by_name.get(key, ()))]
    former = gazetteer.legacy_by_name.get(key, [])
    here = [u for u in units if not province or u.province_code == province]
    old_here = [o for o in former if not province or o.new_province_code == province]
    for unit in here:
        lines.append(f"2025   {unit.code} {unit.division_type} {unit.name} ({unit.province_name})")
    for old in old_here:
        became = ", ".join(f"{c} {gazetteer.units[c].name}" for c in old.new_codes) or "unknown"
        lines.append(f"former {old.code} {old.division_type} {old.name}, {old.district}, {old.province_name} "
                     f"-> {became}")
    for old in gazetteer.legacy_by_keyword.get(key.replace(" ", ""), []):
        if old not in old_here and (not province or old.new_province_code == province):
            became = ", ".join(f"{c} {gazetteer.units[c].name}" for c in old.new_codes) or "unknown"
            lines.append(f"alias  {old.code} {old.division_type} {old.name} (the package's spelling of {name!r}), "
                         f"{old.district}, {old.province_name} -> {became}")
    elsewhere = len(units) - len(here) + len(former) - len(old_here)
    if elsewhere:
        lines.append(f"(and {elsewhere} unit(s) of this name in other provinces)")
    if province:
        names = gazetteer.name_lists.get(province, [])
        for found, score, _ in process.extract(key, names, scorer=fuzz.ratio, limit=settings.candidates,
                                               score_cutoff=settings.fuzzy_unique_threshold):
            if found != key:
                for code in sorted(gazetteer.names_by_province[province][found]):
                    unit = gazetteer.units[code]
                    lines.append(f"fuzzy  {unit.code} {unit.division_type} {unit.name} score {score:.1f}")
    return lines


def _describe(link: Link) -> str:
    if link.method == "unresolved":
        return "none (method unresolved)" + (", several units share the name" if link.ambiguous else "")
    if link.method == "legacy":
        return (f"former {link.legacy_code} {link.legacy_name} -> {link.becomes_code} {link.becomes_name} "
                f"({link.province_name}), method legacy" + (", ambiguous" if link.ambiguous else ""))
    return (f"{link.ward_code} {link.division_type} {link.ward_name} ({link.province_name}), method {link.method}, "
            f"score {link.score:.1f}" + (", ambiguous" if link.ambiguous else ""))


def _why(link: Link, province: str | None, before_merger: bool) -> str:
    if link.method in {"exact", "folded"}:
        if province and link.province_code != province:
            return "the only unit of this name in the country, outside the given province (score lowered)"
        kept = ", the unit of that day kept its name" if before_merger else ""
        return "a 2025 unit of this name" + (" in the given province" if province else ", unique in the country") + kept
    if link.method == "legacy":
        if before_merger:
            return "the article predates the merger and the unit of that day did not keep its name in 2025"
        return "no 2025 unit of this name in the province; a former unit of that name became the winner"
    if link.method == "fuzzy":
        return "no exact name; the closest name in the province above the fuzzy threshold"
    if link.ambiguous and not province:
        return "several provinces have this name: give the province"
    return ("nothing close enough in the province, in 2025 or before" if province
            else "no unit of this name in the country; give the province to allow near spellings")
