from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.nlp import build_nlp
from pipeline.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "articles.jsonl"
GOLD = SHARED / "corpus" / "gold"
RAW = ROOT / "data" / "raw"


@pytest.fixture(scope="session")
def settings():
    return load_settings()


@pytest.fixture(scope="session")
def nlp(settings):
    return build_nlp(settings)


@pytest.fixture(scope="session")
def seeds() -> dict[str, dict]:
    """The project's own sample articles (data/raw/01-seeds.jsonl)."""
    lines = (RAW / "01-seeds.jsonl").read_text("utf-8").splitlines()
    return {r["id"]: r for r in map(json.loads, lines)}


@pytest.fixture(scope="session")
def corpus_path() -> Path:
    if not CORPUS.exists():
        pytest.skip(f"the shared corpus is absent ({CORPUS}); it lives in ../shared beside the checkout")
    return CORPUS


FRESH = ROOT / "tests" / "corpus" / "fresh"


@pytest.fixture(scope="session")
def fresh_rules_only(tmp_path_factory, settings) -> Path:
    """The 60 fresh articles through the shipped rules without the statistical model (fast)."""
    from pipeline.run import run

    out = tmp_path_factory.mktemp("fresh-rules-only")
    run([FRESH / "articles.jsonl"], out, settings, rules_only=True)
    return out


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory, settings) -> Path:
    """The sample inputs (data/raw and the fresh articles) through the full pipeline."""
    from pipeline.run import run

    out = tmp_path_factory.mktemp("sample")
    run([RAW, FRESH / "articles.jsonl"], out, settings)
    return out


@pytest.fixture(scope="session")
def reference_scorer():
    """`../shared/tools/score.py`, the definition our `evaluate` must agree with."""
    import importlib.util

    path = SHARED / "tools" / "score.py"
    if not path.exists():
        pytest.skip(f"the reference scorer is absent ({path}); it lives in ../shared beside the checkout")
    spec = importlib.util.spec_from_file_location("score", path)
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    return scorer
