"""The category column against 1,000 items two people filed by hand (tests/corpus/categories):
a change to rules/categories.yaml that files fewer of them right fails here."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.extract import Categorizer
from pipeline.rules import cached_rules

FILED = Path(__file__).resolve().parent / "corpus" / "categories" / "filed.jsonl"
# Measured (a little under): samples 1 to 4 were read to choose keywords, sample 5 was not.
FLOORS = {1: 0.72, 2: 0.84, 3: 0.80, 4: 0.72, 5: 0.76}


def _agreed() -> dict[int, list[dict]]:
    by_sample: dict[int, list[dict]] = {}
    for line in FILED.read_text("utf-8").splitlines():
        record = json.loads(line)
        if record["filer_a"] == record["filer_b"]:
            by_sample.setdefault(record["sample"], []).append(record)
    return by_sample


def test_the_set_is_five_samples_of_distinct_items_filed_twice():
    records = [json.loads(line) for line in FILED.read_text("utf-8").splitlines()]
    assert sorted({r["sample"] for r in records}) == [1, 2, 3, 4, 5]
    assert all(sum(r["sample"] == k for r in records) == 200 for k in (1, 2, 3, 4, 5))
    assert len({(r["article_id"], r["item"]) for r in records}) == len(records)
    agreed = sum(len(group) for group in _agreed().values())
    assert agreed >= 965, agreed  # 979 of 1,000: the definitions are clear enough to file by


@pytest.mark.parametrize("sample", sorted(FLOORS))
def test_categories_agree_with_the_hand_filed_items(settings, sample):
    categorize = Categorizer(cached_rules(str(settings.rules_dir)))
    records = _agreed()[sample]
    right = sum(categorize(r["item"], r["sentence"]) == r["filer_a"] for r in records)
    assert right / len(records) >= FLOORS[sample], f"{right} of {len(records)} right"


@pytest.mark.parametrize("item, expected", [
    # sample 5: a hazard that damaged something is filed under the hazard ...
    ("traffic in Ngọc Giác and ATếêp villages is completely blocked by landslides", "environment_disasters"),
    ("erosion has significantly impacted residents' lives, forcing many to abandon their homes", "environment_disasters"),
    # ... but pollution and waste have no such precedence: the land is the subject here
    ("Many plots of land in the planning area have become wild, overgrown with weeds, causing environmental pollution",
     "land_planning"),
])
def test_a_natural_hazard_decides_the_category_of_what_it_damaged(settings, item, expected):
    assert Categorizer(cached_rules(str(settings.rules_dir)))(item) == expected


def test_an_overriding_category_must_be_a_category(tmp_path):
    import shutil

    from pipeline.rules import RuleError, load_rules
    from pipeline.settings import default_rules_dir

    shutil.copytree(default_rules_dir(), tmp_path / "rules")
    path = tmp_path / "rules" / "categories.yaml"
    path.write_text(path.read_text("utf-8").replace("overriding:\n  environment_disasters:", "overriding:\n  disasters:"),
                    "utf-8")
    with pytest.raises(RuleError, match=r"categories.yaml\] lexicon 'overriding': 'disasters' is not one of its categories"):
        load_rules(tmp_path / "rules")
