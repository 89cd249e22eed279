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
