"""Score floors on the shared real-article corpus, with the reference scorer itself.

Floors sit a little under the measured scores, so a change that loses quality fails here.
"""
from __future__ import annotations

import importlib.util

import pytest

from pipeline.evaluate import evaluate
from pipeline.run import run
from pipeline.tables import load_tables

from conftest import GOLD, ROOT, SHARED

# Measured on all 48 records of ../shared/corpus (floors a little under).
FLOORS = {"communes": 0.99, "officials": 0.98, "difficulties": 0.86, "recommendations": 0.90}


@pytest.fixture(scope="module")
def corpus_run(corpus_path, tmp_path_factory, settings):
    spec = importlib.util.spec_from_file_location("score", SHARED / "tools" / "score.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    out = tmp_path_factory.mktemp("corpus")
    summary = run([corpus_path], out, settings)
    assert summary.counts["articles"] == sum(1 for line in corpus_path.open(encoding="utf-8") if line.strip())
    return scorer, out


@pytest.fixture(scope="module")
def scores(corpus_run):
    scorer, out = corpus_run
    results, _ = scorer.score(scorer.load_gold(GOLD), out)
    return results


def test_evaluate_agrees_with_the_reference_scorer(corpus_run):
    scorer, out = corpus_run
    reference, reference_errors = scorer.score(scorer.load_gold(GOLD), out)
    ours = evaluate(GOLD, out)
    assert {table: ours.scores[table] for table in reference} == reference
    assert ours.errors == reference_errors


def test_directions_floor(corpus_run):
    """Directions, which the reference scorer leaves out, scored the same way (0.755 measured)."""
    _, out = corpus_run
    assert evaluate(GOLD, out).scores["directions"]["f1"] >= 0.74


@pytest.mark.parametrize("table", sorted(FLOORS))
def test_f1_floor(scores, table):
    assert scores[table]["f1"] >= FLOORS[table], scores[table]


# The statements issue asks recall >= 0.80 for both; measured 0.921 and 0.850.
RECALL_FLOORS = {"difficulties": 0.92, "recommendations": 0.85}


@pytest.mark.parametrize("table", sorted(RECALL_FLOORS))
def test_recall_floor(scores, table):
    assert scores[table]["recall"] >= RECALL_FLOORS[table], scores[table]


def test_title_recall_floor(scores):
    assert scores["official_titles"]["recall"] >= 0.96


FRESH = ROOT / "tests" / "corpus" / "fresh"
# Measured on the project's own blind-annotated set of 60 articles (tests/corpus/fresh).
FRESH_FLOORS = {"communes": 0.97, "officials": 0.98, "difficulties": 0.75, "recommendations": 0.71}


@pytest.fixture(scope="module")
def fresh_scores(sample_run):
    """The sample run holds the fresh articles (and the seeds, which have no gold here)."""
    written = set(load_tables(sample_run)["articles"]["article_id"])
    assert {path.stem for path in (FRESH / "gold").glob("*.json")} <= written
    return evaluate(FRESH / "gold", sample_run).scores


@pytest.mark.parametrize("table", sorted(FRESH_FLOORS))
def test_fresh_set_f1_floor(fresh_scores, table):
    assert fresh_scores[table]["f1"] >= FRESH_FLOORS[table], fresh_scores[table]


SETS = ROOT / "tests" / "corpus"
# Floors on the other real sets the project gathered (each folder's README says what it is and
# whether its errors have been read); all run together in one fixture.
OTHER_SET_FLOORS = {
    "holdout": {"communes": 0.96, "officials": 0.97, "difficulties": 0.63, "recommendations": 0.88},
    # Blind set 2: many communes and officials, hardly any statements, so only those.
    "blind": {"communes": 0.95, "officials": 0.99},
    "blind3": {"communes": 0.98, "officials": 0.99, "difficulties": 0.72, "recommendations": 0.90},
    # Blind set 4: its annotator left out a count of visitors that has grown (rule
    # workload-increased), so its difficulties went 0.764 -> 0.756.
    "blind4": {"communes": 0.97, "officials": 0.99, "difficulties": 0.75, "recommendations": 0.77},
    # Blind set 5: its lead restates a voters' proposal the body gives again ("so they proposed
    # reducing unnecessary reports"), read as a proposal since "they" takes its own sentence's voters.
    "blind5": {"communes": 0.99, "officials": 0.99, "difficulties": 0.70, "recommendations": 0.83},
    "blind6": {"communes": 0.96, "officials": 0.98, "difficulties": 0.68, "recommendations": 0.79},
    "blind7": {"communes": 0.99, "officials": 0.97, "difficulties": 0.53, "recommendations": 0.83},
    "blind8": {"communes": 0.99, "officials": 0.99, "difficulties": 0.61, "recommendations": 0.99},
    "blind9": {"communes": 0.99, "officials": 0.99, "difficulties": 0.62, "recommendations": 0.93},
    "blind10": {"communes": 0.92, "officials": 0.99, "difficulties": 0.86, "recommendations": 0.66},
    "blind11": {"communes": 0.99, "officials": 0.99, "difficulties": 0.74, "recommendations": 0.70},
    "blind12": {"communes": 0.86, "officials": 0.95, "difficulties": 0.76, "recommendations": 0.85},
    "blind13": {"communes": 0.98, "officials": 0.93, "difficulties": 0.62, "recommendations": 0.75},
    "blind14": {"communes": 0.94, "officials": 0.91, "difficulties": 0.54, "recommendations": 0.63},
    "blind15": {"communes": 0.99, "officials": 0.99, "difficulties": 0.57, "recommendations": 0.49},
    "blind16": {"communes": 0.99, "officials": 0.94, "difficulties": 0.69, "recommendations": 0.66},
    # Blind set 17 has no proposals in its gold: statements are judged on difficulties only.
    "blind17": {"communes": 0.66, "officials": 0.99, "difficulties": 0.64},
    "blind18": {"communes": 0.97, "officials": 0.95, "difficulties": 0.66, "recommendations": 0.66},
    # Blind set 19 has 3 gold proposals, none found yet: a floor of 0 would assert nothing.
    "blind19": {"communes": 0.99, "officials": 0.99, "difficulties": 0.61},
    "blind20": {"communes": 0.99, "officials": 0.96, "difficulties": 0.52, "recommendations": 0.59},
    "blind21": {"communes": 0.99, "officials": 0.90, "difficulties": 0.65, "recommendations": 0.99},
    # Blind set 22 has one gold proposal: statements are judged on difficulties only.
    "blind22": {"communes": 0.82, "officials": 0.99, "difficulties": 0.54},
    "blind23": {"communes": 0.95, "officials": 0.96, "difficulties": 0.64, "recommendations": 0.43},
    "blind24": {"communes": 0.98, "officials": 0.90, "difficulties": 0.56, "recommendations": 0.92},
    "blind25": {"communes": 0.87, "officials": 0.99, "difficulties": 0.52, "recommendations": 0.44},
    # Blind set 26 has 7 gold proposals, one found (rule locality-needs).
    "blind26": {"communes": 0.91, "officials": 0.99, "difficulties": 0.65, "recommendations": 0.22},
    # Blind set 27 has no proposals in its gold: statements are judged on difficulties only.
    "blind27": {"communes": 0.85, "officials": 0.99, "difficulties": 0.85},
    "blind28": {"communes": 0.96, "officials": 0.99, "difficulties": 0.62, "recommendations": 0.78},
    "blind29": {"communes": 0.96, "officials": 0.99, "difficulties": 0.40, "recommendations": 0.89},
    # Blind set 30 has 2 gold proposals: statements are judged on difficulties only.
    "blind30": {"communes": 0.92, "officials": 0.99, "difficulties": 0.66},
    # Blind set 31 has 3 gold proposals: statements are judged on difficulties only.
    "blind31": {"communes": 0.96, "officials": 0.99, "difficulties": 0.73},
    # Blind set 32 has 4 gold proposals: statements are judged on difficulties only.
    # Blind set 32: a comma inside "10,534" used to cut one flood item in two pieces, each
    # matching one of the two items its gold lists there; read as one number now, the item is
    # one and matches one of them (0.698 -> 0.667).
    "blind32": {"communes": 0.95, "officials": 0.99, "difficulties": 0.66},
    # Blind set 33 has 1 gold proposal: statements are judged on difficulties only.
    "blind33": {"communes": 0.88, "officials": 0.99, "difficulties": 0.63},
    # Blind set 34 has 4 gold proposals: statements are judged on difficulties only.
    "blind34": {"communes": 0.88, "officials": 0.99, "difficulties": 0.63},
    # Blind set 35 has 2 gold proposals: statements are judged on difficulties only.
    "blind35": {"communes": 0.99, "officials": 0.94, "difficulties": 0.50},
    "blind36": {"communes": 0.96, "officials": 0.99, "difficulties": 0.59, "recommendations": 0.42},
    # Blind sets 37 and 38 have 3 and 2 gold proposals: statements are judged on difficulties only.
    "blind37": {"communes": 0.98, "officials": 0.99, "difficulties": 0.59},
    "blind38": {"communes": 0.99, "officials": 0.99, "difficulties": 0.53},
    # Blind sets 39 and 40 have 2 gold proposals each: statements are judged on difficulties only.
    "blind39": {"communes": 0.99, "officials": 0.93, "difficulties": 0.51},
    "blind40": {"communes": 0.99, "officials": 0.96, "difficulties": 0.59},
    # Blind set 41 has 7 gold proposals; blind set 42 has 2: statements judged as blind set 36's.
    "blind41": {"communes": 0.99, "officials": 0.96, "difficulties": 0.59, "recommendations": 0.61},
    "blind42": {"communes": 0.99, "officials": 0.99, "difficulties": 0.56},
    "blind43": {"communes": 0.99, "officials": 0.90, "difficulties": 0.61, "recommendations": 0.79},
    # Blind set 44 has 5 gold difficulties and no proposal: mostly a check of items made up.
    "blind44": {"communes": 0.95, "officials": 0.99, "difficulties": 0.61},
    "blind45": {"communes": 0.96, "officials": 0.99, "difficulties": 0.61, "recommendations": 0.20},
    # Blind set 46 has 5 gold difficulties and no proposal: mostly a check of items made up.
    "blind46": {"communes": 0.99, "officials": 0.99, "difficulties": 0.14},
    # Blind sets 47 and 48 have 4 and 0 gold proposals: statements are judged on difficulties only.
    "blind47": {"communes": 0.94, "officials": 0.88, "difficulties": 0.53},
    "blind48": {"communes": 0.88, "officials": 0.99, "difficulties": 0.50},
    # Blind set 49's 9 gold proposals are voters' land topics the rules do not read as asked for.
    "blind49": {"communes": 0.99, "officials": 0.93, "difficulties": 0.58},
    "blind50": {"communes": 0.99, "officials": 0.94, "difficulties": 0.58, "recommendations": 0.76},
    # Blind set 51 has 4 gold proposals: statements are judged on difficulties only.
    "blind51": {"communes": 0.95, "officials": 0.99, "difficulties": 0.47},
    "blind52": {"communes": 0.78, "officials": 0.92, "difficulties": 0.53, "recommendations": 0.73},
    # Blind sets 53 and 54 have 4 and 2 gold proposals: statements are judged on difficulties only.
    "blind53": {"communes": 0.99, "officials": 0.99, "difficulties": 0.57},
    "blind54": {"communes": 0.99, "officials": 0.99, "difficulties": 0.35},
    # Blind set 55 has no gold proposal, blind set 56 has 3: statements are judged on difficulties only.
    "blind55": {"communes": 0.97, "officials": 0.94, "difficulties": 0.62},
    "blind56": {"communes": 0.99, "officials": 0.99, "difficulties": 0.56},
    # Blind set 57 has no gold proposal (none made up either), blind set 58 has 4.
    "blind57": {"communes": 0.94, "officials": 0.94, "difficulties": 0.55, "recommendations": 0.99},
    "blind58": {"communes": 0.97, "officials": 0.99, "difficulties": 0.58, "recommendations": 0.88},
    "blind59": {"communes": 0.99, "officials": 0.99, "difficulties": 0.57, "recommendations": 0.76},
    "blind60": {"communes": 0.99, "officials": 0.94, "difficulties": 0.44, "recommendations": 0.36},
    # Blind set 61 has one gold proposal, blind set 62 none: statements are judged on difficulties only.
    "blind61": {"communes": 0.97, "officials": 0.99, "difficulties": 0.66},
    "blind62": {"communes": 0.94, "officials": 0.90, "difficulties": 0.53},
    "blind63": {"communes": 0.96, "officials": 0.79, "difficulties": 0.49, "recommendations": 0.24},
    "blind64": {"communes": 0.99, "officials": 0.95, "difficulties": 0.45, "recommendations": 0.54},
    # Blind sets 65 and 66 have 2 gold proposals each.
    "blind65": {"communes": 0.99, "officials": 0.93, "difficulties": 0.51, "recommendations": 0.49},
    "blind66": {"communes": 0.99, "officials": 0.95, "difficulties": 0.63, "recommendations": 0.66},
    # Blind set 67 has one gold proposal (missed), blind set 68 none (none made up).
    "blind67": {"communes": 0.96, "officials": 0.99, "difficulties": 0.52},
    "blind68": {"communes": 0.99, "officials": 0.94, "difficulties": 0.40, "recommendations": 0.99},
    # Blind set 69: 5 articles (the search store is nearly used up); 14 of its 16 proposals are voters'.
    "blind69": {"communes": 0.99, "officials": 0.99, "difficulties": 0.66, "recommendations": 0.52},
    # Blind set 70: 18 articles, mostly disasters (unseen; its errors unread); its 3 gold proposals
    # are too few for a floor.
    "blind70": {"communes": 0.94, "officials": 0.99, "difficulties": 0.55},
    # Blind set 71: 17 articles (unseen; its errors unread); one gold proposal, too few for a floor.
    "blind71": {"communes": 0.97, "officials": 0.99, "difficulties": 0.54},
    # Blind set 72: 16 articles (unseen when added); 5 gold proposals, too few for a floor.
    "blind72": {"communes": 0.97, "officials": 0.89, "difficulties": 0.63},
    # Blind set 73: 15 articles (unseen when added); 3 gold proposals, too few for a floor.
    "blind73": {"communes": 0.97, "officials": 0.99, "difficulties": 0.62},
}


@pytest.fixture(scope="module")
def other_sets(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("other-sets")
    run([SETS / name / "articles.jsonl" for name in OTHER_SET_FLOORS], out, settings)
    return out


@pytest.mark.parametrize(("name", "table"), [(name, table) for name, floors in OTHER_SET_FLOORS.items()
                                             for table in sorted(floors)])
def test_other_set_f1_floor(other_sets, name, table):
    scores = evaluate(SETS / name / "gold", other_sets).scores
    assert scores[table]["f1"] >= OTHER_SET_FLOORS[name][table], scores[table]
