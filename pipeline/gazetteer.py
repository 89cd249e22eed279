"""The official gazetteer: 2025 units (34 provinces, 3,321 communes/wards/special zones) and
the 10,040 legacy units with their conversion to 2025, read from `vietnamadminunits`' SQLite,
each with the package's point coordinates (latitude/longitude) for maps.

Indexes map a folded name to a *set* of codes: names repeat across provinces (eleven Tân An).
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import sqlite3
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from pipeline import textnorm
from pipeline.fsutil import atomic_write
from pipeline.textnorm import fold

# The day the two-level model started: units named before it are the former ones.
MERGER_DATE = "2025-07-01"
DIVISION_TYPES = {"Xã": "xã", "Phường": "phường", "Đặc khu": "đặc khu", "Thị trấn": "thị trấn"}


@dataclass(frozen=True)
class Unit:
    code: str  # 5-digit official code
    name: str  # "Lộc Bình"
    division_type: str  # xã / phường / đặc khu
    province_code: str
    province_name: str  # "Lạng Sơn"
    folded: str
    latitude: float | None = None  # the package's point for the unit (WGS 84 degrees)
    longitude: float | None = None


@dataclass(frozen=True)
class LegacyUnit:
    code: str
    name: str
    division_type: str  # xã / phường / thị trấn
    district: str
    province_name: str  # the pre-2025 province ("Hải Dương")
    new_province_code: str
    new_codes: tuple[str, ...]  # the 2025 unit(s) it went to, the default one first
    folded: str
    keywords: tuple[str, ...] = ()  # the package's spelling variants and aliases, folded, no spaces
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Province:
    code: str
    name: str  # "Lạng Sơn"
    folded: str
    legacy_names: tuple[str, ...]  # pre-2025 provinces merged into it ("Hải Dương")


@dataclass
class Gazetteer:
    units: dict[str, Unit]
    legacy: list[LegacyUnit]
    provinces: dict[str, Province]
    by_name: dict[str, set[str]] = field(default_factory=dict)
    legacy_by_name: dict[str, list[LegacyUnit]] = field(default_factory=dict)
    legacy_by_keyword: dict[str, list[LegacyUnit]] = field(default_factory=dict)
    names_by_province: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    province_by_name: dict[str, str] = field(default_factory=dict)  # folded name → 2025 code
    districts_by_province: dict[str, set[str]] = field(default_factory=dict)  # 2025 code → folded former districts
    name_lists: dict[str, list[str]] = field(default_factory=dict)  # 2025 code → its folded names, for rapidfuzz
    legacy_by_code: dict[str, LegacyUnit] = field(default_factory=dict)

    def __post_init__(self) -> None:
        by_name: dict[str, set[str]] = defaultdict(set)
        per_province: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for unit in self.units.values():
            by_name[unit.folded].add(unit.code)
            per_province[unit.province_code][unit.folded].add(unit.code)
        legacy_by_name: dict[str, list[LegacyUnit]] = defaultdict(list)
        legacy_by_keyword: dict[str, list[LegacyUnit]] = defaultdict(list)
        districts: dict[str, set[str]] = defaultdict(set)
        for old in self.legacy:
            if old.district:
                districts[old.new_province_code].add(fold(old.district))
            legacy_by_name[old.folded].append(old)
            for keyword in old.keywords:
                legacy_by_keyword[keyword].append(old)
        self.legacy_by_keyword = dict(legacy_by_keyword)
        self.districts_by_province = dict(districts)
        self.legacy_by_code = {old.code: old for old in self.legacy}
        self.by_name = dict(by_name)
        self.names_by_province = {p: dict(names) for p, names in per_province.items()}
        self.name_lists = {p: list(names) for p, names in self.names_by_province.items()}
        self.legacy_by_name = dict(legacy_by_name)
        for province in self.provinces.values():
            self.province_by_name[province.folded] = province.code
            for old_name in province.legacy_names:
                self.province_by_name.setdefault(fold(old_name), province.code)

    def coordinates(self, ward_code: str | None, legacy_code: str | None = None) -> tuple[float | None, float | None]:
        """Where a commune row points on a map: the 2025 unit, else the former unit itself
        (the place the article names; its successor may lie kilometres away)."""
        unit = self.units.get(ward_code or "") or self.legacy_by_code.get(legacy_code or "")
        return (unit.latitude, unit.longitude) if unit else (None, None)

    def all_names(self) -> set[str]:
        """Every folded name a commune-level unit had, in 2025 or before."""
        return set(self.by_name) | set(self.legacy_by_name)


def _short_keywords(raw: str | None, ward_type: str) -> tuple[str, ...]:
    """The package's keywords without the type prefix ("phuongmayto" → "mayto")."""
    prefix = fold(ward_type).replace(" ", "")
    try:
        words = json.loads(raw) if raw else []
    except json.JSONDecodeError:
        return ()
    return tuple(sorted({w for w in words if isinstance(w, str) and not w.startswith(prefix)}))


def _package_data(name: str) -> Path:
    """A data file of the vietnamadminunits package, found without importing the package (its
    import loads address parsers: half a second of every start-up)."""
    spec = find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("vietnamadminunits is not installed; run `make run` (it installs it)")
    return Path(spec.submodule_search_locations[0]) / "data" / name


def _connect() -> sqlite3.Connection:
    path = _package_data("dataset.db")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def _converter() -> dict:
    path = _package_data("converter_2025.json")
    return json.loads(path.read_text("utf-8"))


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """Read once per process: from the cache when it holds this gazetteer (0.1 s), else built
    from the package's data (0.3 s, at every start of a run or a worker) and cached."""
    path = cache_path()
    if path is not None:
        try:
            cached = pickle.loads(path.read_bytes())
            if isinstance(cached, Gazetteer):
                return cached
        except Exception:  # missing, unreadable or from another version: build it again
            pass
    gazetteer = build_gazetteer()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, lambda handle: pickle.dump(gazetteer, handle, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # a read-only home: every start builds it, as before
            pass
    return gazetteer


def cache_path() -> Path | None:
    """Where the built gazetteer is kept: `$PROVNEWS_CACHE_DIR`, else `$XDG_CACHE_HOME/provnews`
    or `~/.cache/provnews` (None when there is no home). The name is a digest of what the
    gazetteer is made from (the package's data files, this module and the folding code, the
    Python version), so an upgrade of any of them builds a new one instead of reading a stale one."""
    base = os.environ.get("PROVNEWS_CACHE_DIR")
    if not base:
        home = os.path.expanduser("~")
        caches = os.environ.get("XDG_CACHE_HOME") or (os.path.join(home, ".cache") if home != "~" else "")
        if not caches:
            return None
        base = os.path.join(caches, "provnews")
    digest = hashlib.sha256(sys.version.encode())
    try:
        for data in (_package_data("dataset.db"), _package_data("converter_2025.json")):
            stat = data.stat()
            digest.update(f"{data}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        for source in (__file__, textnorm.__file__):
            digest.update(Path(source).read_bytes())
    except OSError:
        return None
    return Path(base) / f"gazetteer-{digest.hexdigest()[:20]}.pickle"


def build_gazetteer() -> Gazetteer:
    """The gazetteer made from `vietnamadminunits`' SQLite and its 2025 conversion table."""
    with _connect() as conn:
        rows = conn.execute(
            "SELECT wardCode, wardShort, wardType, provinceCode, provinceShort, provinceKey, wardKey, wardLat, wardLon "
            "FROM admin_units"
        ).fetchall()
        legacy_rows = conn.execute(
            "SELECT wardCode, wardShort, wardType, districtShort, provinceShort, provinceKey, districtKey, "
            "wardKey, wardKeywords, wardLat, wardLon FROM admin_units_legacy WHERE wardCode IS NOT NULL AND wardShort IS NOT NULL"
        ).fetchall()
    units: dict[str, Unit] = {}
    code_by_key: dict[tuple[str, str], str] = {}
    province_codes: dict[str, tuple[str, str]] = {}
    for r in rows:
        units[r["wardCode"]] = Unit(
            code=r["wardCode"],
            name=r["wardShort"],
            division_type=DIVISION_TYPES.get(r["wardType"], r["wardType"].lower()),
            province_code=r["provinceCode"],
            province_name=r["provinceShort"],
            folded=fold(r["wardShort"]),
            latitude=r["wardLat"],
            longitude=r["wardLon"],
        )
        code_by_key[(r["provinceKey"], r["wardKey"])] = r["wardCode"]
        province_codes[r["provinceKey"]] = (r["provinceCode"], r["provinceShort"])

    converter = _converter()
    new_province_of_old = {old: new for new, olds in converter["DICT_PROVINCE"].items() for old in olds}
    undivided: dict[str, str] = {}
    for new_province, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_keys in wards.items():
            for old_key in old_keys:
                undivided[old_key] = code_by_key.get((new_province, new_ward), "")
    divided: dict[str, list[str]] = {}
    for new_province, old_wards in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in old_wards.items():
            ordered = sorted(targets, key=lambda t: not t["isDefaultNewWard"])
            divided[old_key] = [code_by_key.get((new_province, t["newWardKey"]), "") for t in ordered]

    legacy_names: dict[str, set[str]] = defaultdict(set)
    legacy: list[LegacyUnit] = []
    for r in legacy_rows:
        new_province_key = new_province_of_old.get(r["provinceKey"])
        if new_province_key not in province_codes:
            continue
        old_key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}"
        new_codes = [c for c in ([undivided[old_key]] if old_key in undivided else divided.get(old_key, [])) if c]
        new_code = province_codes[new_province_key][0]
        legacy_names[new_code].add(r["provinceShort"])
        legacy.append(
            LegacyUnit(
                code=r["wardCode"],
                name=r["wardShort"],
                division_type=DIVISION_TYPES.get(r["wardType"], r["wardType"].lower()),
                district=r["districtShort"],
                province_name=r["provinceShort"],
                new_province_code=new_code,
                new_codes=tuple(new_codes),
                folded=fold(r["wardShort"]),
                keywords=_short_keywords(r["wardKeywords"], r["wardType"]),
                latitude=r["wardLat"],
                longitude=r["wardLon"],
            )
        )
    provinces = {
        code: Province(code=code, name=name, folded=fold(name),
                       legacy_names=tuple(sorted(legacy_names[code] - {name})))
        for code, name in province_codes.values()
    }
    return Gazetteer(units=units, legacy=legacy, provinces=provinces)
