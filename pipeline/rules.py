"""Rules are data: rules/*.yaml, validated on load, every problem reported at once.

Each file holds `rules:` (a list of rules) and, for some concerns, lexicons. A rule has
`id`, `label`, `pattern` (a phrase string or a list of spaCy token dicts, the shape
`SpanRuler.add_patterns` takes), optional `note`, `examples` (`match`/`no_match` sentences),
and the few keys its concern allows (e.g. `mode`).
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from spacy.schemas import validate_token_pattern

from pipeline.errors import RuleError
from pipeline.textnorm import fold, word_alternation

BASE_KEYS = {"id", "label", "pattern", "note", "examples"}
# Token attributes a statistical model sets: a rule that reads one works with the model only.
MODEL_ATTRIBUTES = frozenset({"TAG", "POS", "MORPH", "LEMMA", "DEP", "ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID"})
# The model component that sets each (POS and MORPH come from the tags through the attribute ruler).
ANNOTATING_COMPONENTS = {"tagger": {"TAG"}, "attribute_ruler": {"POS", "MORPH"}, "lemmatizer": {"LEMMA"},
                         "parser": {"DEP"}, "ner": {"ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID"}}

# libyaml's safe loader when PyYAML has it (7x faster at start-up; the same documents).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class FileSpec:
    """What one rules file may hold: its labels, extra rule keys (with allowed values), lexicons."""

    labels: frozenset[str]
    extra_keys: dict[str, frozenset[str] | type] = field(default_factory=dict)
    lexicons: dict[str, type] = field(default_factory=dict)  # top-level key → dict or list
    required_lexicons: frozenset[str] = frozenset()


SPLIT_MODES = frozenset({"never", "semicolons", "verbs", "nouns"})
STATEMENT_KEYS: dict[str, frozenset[str] | type] = {
    "mode": frozenset({"after", "from_match", "clause"}),
    # Who must be speaking for the rule to count: anyone; anyone but a visiting leader; a locality;
    # whoever made a statement of the same label in the sentence before (a continuation).
    "speaker": frozenset({"any", "not_leader", "local", "previous"}),
    "greedy": frozenset({"LONGEST", "FIRST"}),
    "split": SPLIT_MODES,
    # Words that, right before the match, make its first word something else: "the proposed
    # agenda" uses the verb as an adjective.
    "not_preceded_by": list,
    # ... and right after it: "flooded areas" names a place, "flooded" alone tells damage.
    "not_followed_by": list,
    # The category its items lean to (one keyword's weight, rules/categories.yaml): what a
    # damage word finds is disaster damage though the item names the road it hit.
    "category": str,
    # A list read `after` the match ends where a clause begins (a subject, a verb with a tense
    # or an auxiliary after a piece's first word).
    "ends_at_clause": bool,
    # The match must go on with a verb ("asked the commune to | review ..."), not a noun ("directed
    # the dissemination of the Resolution to | cadres"): by the tagger, else by function words.
    "followed_by_verb": bool,
}
# Options compared with one token: each entry one word (or one punctuation mark, "-").
ONE_TOKEN_OPTIONS = frozenset({"not_preceded_by", "not_followed_by"})
STATEMENT_LEXICONS: dict[str, type] = {"cancel_before": list, "cancel_just_before": list, "cancel_just_after": list,
                                       "remedy_nouns": list, "hypothetical_words": list,
                                       "generic_words": list,
                                       "not_item_start": list, "circumstance_openers": list,
                                       "concessive_openers": list, "frame_patterns": list,
                                       "responder_openers": list, "tally_patterns": list,
                                       "settled_phrases": list, "first_person_words": list}
FILE_SPECS: dict[str, FileSpec] = {
    "communes": FileSpec(
        labels=frozenset({"COMMUNE", "NOT_COMMUNE"}),
        # former: the names a rule finds are pre-merger units ("merged from A and B"); greedy: as
        # spaCy's Matcher, among overlapping matches of the rule keep one.
        extra_keys={"mode": frozenset({"span", "list_after", "list_before"}), "former": bool,
                    "greedy": frozenset({"LONGEST", "FIRST"})},
        lexicons={"keywords": dict, "not_commune_after": list, "not_commune_before": list,
                  "legacy_before": list, "legacy_after": list, "descriptors": list},
        required_lexicons=frozenset({"keywords"}),
    ),
    "officials": FileSpec(
        labels=frozenset({"TITLE"}),
        lexicons={"honorifics": list, "office_honorifics": list, "organizations": dict, "levels": dict,
                  "surnames": list, "title_inner_words": list,
                  "not_name_words": list, "not_officials": list, "org_words": list, "title_qualifiers": list,
                  "group_heads": dict, "title_verbs": list, "aside_verbs": list},
        required_lexicons=frozenset({"honorifics", "surnames"}),
    ),
    "difficulties": FileSpec(labels=frozenset({"DIFFICULTY"}), extra_keys=STATEMENT_KEYS,
                             lexicons=STATEMENT_LEXICONS),
    # Who speaks decides between a recommendation and a direction: read from this file only.
    "recommendations": FileSpec(labels=frozenset({"RECOMMENDATION"}), extra_keys=STATEMENT_KEYS,
                                lexicons={**STATEMENT_LEXICONS, "leader_words": list, "local_words": list,
                                          "pronouns": list, "lower_addressees": list, "central_addressees": list,
                                          "own_level_words": list, "central_speakers": list,
                                          "locality_subjects": list, "addressee_patterns": list,
                                          "proposer_patterns": list}),
    "directions": FileSpec(labels=frozenset({"DIRECTION"}), extra_keys=STATEMENT_KEYS,
                           lexicons=STATEMENT_LEXICONS),
    "categories": FileSpec(labels=frozenset(), lexicons={"categories": dict, "overriding": dict},
                           required_lexicons=frozenset({"categories"})),
    "sources": FileSpec(labels=frozenset(), lexicons={"hosts": dict, "province_aliases": dict, "person_names": list},
                        required_lexicons=frozenset({"hosts"})),
}


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    pattern: str | list[dict[str, Any]]
    file: str
    note: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    match_examples: tuple[str, ...] = ()
    no_match_examples: tuple[str, ...] = ()
    path: str = ""  # the file it comes from, as messages name it (see `shown_path`)

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    def token_pattern(self) -> list[dict[str, Any]]:
        """The pattern as spaCy token dicts: a phrase string matches its words case-insensitively."""
        if isinstance(self.pattern, list):
            return self.pattern
        return [{"LOWER": word} for word in self.pattern.lower().split()]

    def model_attributes(self) -> frozenset[str]:
        """The token attributes of the pattern that only a statistical model sets ("TAG": "VB")."""
        return frozenset(key.upper() for token in self.token_pattern() for key in token) & MODEL_ATTRIBUTES


def annotations_of(pipe_names: list[str]) -> frozenset[str]:
    """The model attributes a pipeline of these components sets."""
    return frozenset(attr for name in pipe_names for attr in ANNOTATING_COMPONENTS.get(name, ()))


@dataclass(frozen=True)
class RuleSet:
    """All rules and lexicons of a rules folder."""

    directory: Path
    rules: tuple[Rule, ...]
    lexicons: dict[str, dict[str, Any]]  # file stem → lexicon name → value

    def for_file(self, stem: str, annotations: frozenset[str] | None = None) -> list[Rule]:
        """The file's rules; with `annotations` (what the pipeline sets), only those that can
        match: spaCy's Matcher refuses a TAG pattern on a Doc that has no tags."""
        return [r for r in self.rules if r.file == stem
                and (annotations is None or r.model_attributes() <= annotations)]

    def needing_model(self) -> list[Rule]:
        """Rules that read what only a model sets (a --rules-only run leaves them out)."""
        return [r for r in self.rules if r.model_attributes()]

    def lexicon(self, stem: str, name: str, default: Any = None) -> Any:
        return self.lexicons.get(stem, {}).get(name, default)


def shown_path(path: Path) -> str:
    """A rules file as a message names it: relative to the working folder when inside it
    (`rules/officials.yaml`, `my-rules/officials.yaml`), else absolute, so it can be opened."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def _compile_problems(pattern: list[dict[str, Any]]) -> list[str]:
    """What spaCy's schema lets through but the Matcher refuses or crashes on later: a REGEX
    that does not compile, an OP such as "{2,1}", a custom attribute (`_`) no one registered."""
    from spacy.matcher import Matcher  # (spaCy's matcher and vocab: only when a file has token patterns)
    from spacy.tokens import Token
    from spacy.vocab import Vocab

    problems = []
    for position, token in enumerate(pattern):
        custom = token.get("_") if isinstance(token, dict) else None
        if isinstance(custom, dict):
            problems += [f"token {position}: no token attribute _.{name} is registered (rules can use only "
                         "the attributes spaCy and the components set)" for name in custom
                         if not Token.has_extension(name)]
    if problems:
        return problems
    try:
        Matcher(Vocab(), validate=False).add("check", [pattern])
    except (re.error, ValueError, TypeError, KeyError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        what = "a REGEX that does not compile" if isinstance(exc, re.error) else "refused by spaCy's Matcher"
        problems.append(f"{what}: {reason}")
    return problems


def _check_rule(raw: Any, index: int, stem: str, spec: FileSpec, problems: list[str], where: str) -> Rule | None:
    if not isinstance(raw, dict):
        problems.append(f"[{where}: rule #{index + 1}] must be a mapping with id, label, pattern")
        return None
    rule_id = raw.get("id")
    loc = f"[{where}: rule {rule_id!r}]" if isinstance(rule_id, str) else f"[{where}: rule #{index + 1}]"
    allowed = BASE_KEYS | set(spec.extra_keys)
    ok = True
    for key in raw:
        if key not in allowed:
            problems.append(f"{loc} unknown key {key!r}; allowed: {', '.join(sorted(allowed))}")
            ok = False
    if not isinstance(rule_id, str) or not rule_id.strip():
        problems.append(f"{loc} missing 'id' (a short unique name such as 'title-after-name')")
        ok = False
    label = raw.get("label")
    if label not in spec.labels:
        problems.append(f"{loc} label {label!r} is not one of: {', '.join(sorted(spec.labels))}")
        ok = False
    pattern = raw.get("pattern")
    if isinstance(pattern, str):
        if not pattern.strip():
            problems.append(f"{loc} empty phrase pattern")
            ok = False
    elif isinstance(pattern, list) and pattern:
        messages = validate_token_pattern(pattern) or _compile_problems(pattern)
        for message in messages:
            problems.append(f"{loc} invalid token pattern: {message}")
            ok = False
    else:
        problems.append(f"{loc} 'pattern' must be a phrase string or a non-empty list of token dicts")
        ok = False
    options = {}
    for key, kind in spec.extra_keys.items():
        if key not in raw:
            continue
        value = raw[key]
        if isinstance(kind, frozenset) and value not in kind:
            problems.append(f"{loc} {key} {value!r} is not one of: {', '.join(sorted(kind))}")
            ok = False
        elif isinstance(kind, type) and not isinstance(value, kind):
            problems.append(f"{loc} {key} must be a {kind.__name__}, got {value!r}")
            ok = False
        elif kind is list and not all(isinstance(word, str) for word in value):
            problems.append(f"{loc} {key}: entries must be words, got {[w for w in value if not isinstance(w, str)]!r}"
                            " (quote YAML's no/yes/on/off and numbers)")
            ok = False
        elif key in ONE_TOKEN_OPTIONS and any(not word.strip() or len(word.split()) > 1 for word in value):
            problems.append(f"{loc} {key}: each entry is compared with one token, got "
                            f"{[w for w in value if not w.strip() or len(w.split()) > 1]!r}")
            ok = False
        elif key in ONE_TOKEN_OPTIONS:  # compared with a folded token, punctuation as written
            value = frozenset(fold(word) or word.strip() for word in value)
        options[key] = value
    examples = raw.get("examples") or {}
    if not isinstance(examples, dict) or set(examples) - {"match", "no_match"}:
        problems.append(f"{loc} 'examples' must be a mapping with 'match' and/or 'no_match' lists of sentences")
        ok = False
        examples = {}
    lists = {}
    for kind in ("match", "no_match"):
        value = examples.get(kind) or []
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            problems.append(f"{loc} examples.{kind} must be a list of sentences")
            ok = False
            value = []
        lists[kind] = tuple(value)
    if not ok:
        return None
    return Rule(id=rule_id, label=label, pattern=pattern, file=stem, note=str(raw.get("note") or ""),
                options=options, match_examples=lists["match"], no_match_examples=lists["no_match"], path=where)


def load_rules(directory: Path) -> RuleSet:
    """Load and validate every rules file; RuleError lists all problems with file and rule."""
    directory = Path(directory)
    problems: list[str] = []
    rules: list[Rule] = []
    lexicons: dict[str, dict[str, Any]] = {}
    if not directory.is_dir():
        raise RuleError([f"[{shown_path(directory)}] rules folder not found; pass --rules DIR or restore rules/"])
    for path in sorted(directory.glob("*.y*ml")):  # a file of its own would be read by no one, silently
        if path.suffix in (".yaml", ".yml") and path.stem not in FILE_SPECS:
            problems.append(f"[{shown_path(path)}] not a rules file provnews reads; put its rules into the file "
                            f"of their kind ({', '.join(f'{stem}.yaml' for stem in FILE_SPECS)})")
    for stem, spec in FILE_SPECS.items():
        path = directory / f"{stem}.yaml"
        where = shown_path(path)
        if not path.exists():
            problems.append(f"[{where}] file missing")
            continue
        try:
            data = yaml.load(path.read_text("utf-8"), Loader=SAFE_LOADER) or {}
        except yaml.YAMLError as exc:
            problems.append(f"[{where}] not valid YAML: {exc}")
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"[{where}] cannot be read as UTF-8 text ({exc})")
            continue
        if not isinstance(data, dict):
            problems.append(f"[{where}] must be a mapping with 'rules' and lexicons")
            continue
        allowed = {"rules"} | set(spec.lexicons)
        for key in data:
            if key not in allowed:
                problems.append(f"[{where}] unknown top-level key {key!r}; allowed: {', '.join(sorted(allowed))}")
        lexicons[stem] = {}
        for name, kind in spec.lexicons.items():
            if name not in data:
                if name in spec.required_lexicons:
                    problems.append(f"[{where}] missing lexicon {name!r}")
                continue
            if not isinstance(data[name], kind):
                problems.append(f"[{where}] lexicon {name!r} must be a {kind.__name__}")
                continue
            value = data[name]
            entries = value if isinstance(value, list) else [*value.keys(), *_flat(value.values())]
            bad = [v for v in entries if not isinstance(v, str)]
            if bad:
                problems.append(f"[{where}] lexicon {name!r}: entries must be strings, got {bad[:3]!r} "
                                f"(quote words YAML reads as numbers or booleans: \"on\", \"no\", \"2\")")
                continue
            if name.endswith("_patterns"):  # regular expressions: each, and all joined, must compile
                for entry in value:
                    try:
                        re.compile(entry)
                    except re.error as exc:
                        problems.append(f"[{where}] lexicon {name!r}: {entry!r} is not a valid regular expression ({exc})")
                try:
                    word_alternation(value, escape=False)
                except re.error as exc:  # "(?i)" inside, a group name used twice
                    problems.append(f"[{where}] lexicon {name!r}: the patterns cannot be joined into one ({exc}); "
                                    "no inline flags, no repeated group names")
            lexicons[stem][name] = value
        raw_rules = data.get("rules") or []
        if not isinstance(raw_rules, list):
            problems.append(f"[{where}] 'rules' must be a list")
            continue
        for index, raw in enumerate(raw_rules):
            rule = _check_rule(raw, index, stem, spec, problems, where)
            if rule is not None:
                rules.append(rule)
    categories = lexicons.get("categories", {}).get("categories") or {}
    for name in lexicons.get("categories", {}).get("overriding") or {}:
        if categories and name not in categories:
            problems.append(f"[{shown_path(directory / 'categories.yaml')}] lexicon 'overriding': {name!r} is not one "
                            f"of its categories: {', '.join(categories)}")
    for rule in rules:
        lean = rule.option("category")
        if lean is not None and categories and lean not in categories:
            problems.append(f"[{rule.path}: rule {rule.id!r}] category {lean!r} is not one of categories.yaml: "
                            f"{', '.join(categories)}")
    seen: dict[str, str] = {}
    for rule in rules:
        if rule.id in seen:
            problems.append(f"[{rule.path}: rule {rule.id!r}] duplicate id (also in {seen[rule.id]})")
        seen.setdefault(rule.id, rule.path)
    if problems:
        raise RuleError(problems)
    return RuleSet(directory=directory, rules=tuple(rules), lexicons=lexicons)


def _flat(values) -> list[Any]:
    """A mapping's values, lists opened: each must be a string (a word, a name, a province)."""
    return [item for value in values for item in (value if isinstance(value, list) else [value])]


@lru_cache(maxsize=8)
def cached_rules(directory: str) -> RuleSet:
    """One parse per process and folder: every component of a pipeline shares it."""
    return load_rules(Path(directory))


def rules_fingerprint(directory: str | Path) -> str:
    """12 hex digits of the SHA-256 of the rules files (names and bytes): the same for the same
    rules, whatever folder holds them; recorded with every batch of rows they make."""
    digest = hashlib.sha256()
    for stem in FILE_SPECS:
        path = Path(directory) / f"{stem}.yaml"
        digest.update(stem.encode() + b"\0" + (path.read_bytes() if path.exists() else b"") + b"\0")
    return digest.hexdigest()[:12]
