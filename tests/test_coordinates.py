"""Communes carry the gazetteer's point: the 2025 unit's, or a former unit's own."""
from __future__ import annotations

import math
import pickle

from pipeline.gazetteer import build_gazetteer, cache_path, load_gazetteer
from pipeline.tables import load_tables

# Vietnam, the Paracel and Spratly special zones included.
LATITUDES, LONGITUDES = (8.0, 24.0), (102.0, 118.0)


def test_gazetteer_gives_every_unit_a_point():
    gazetteer = load_gazetteer()
    assert all(LATITUDES[0] < u.latitude < LATITUDES[1] and LONGITUDES[0] < u.longitude < LONGITUDES[1]
               for u in gazetteer.units.values())
    lat, lon = gazetteer.coordinates("06529")  # Lộc Bình, Lạng Sơn: in the north-east
    assert 21.5 < lat < 22.0 and 106.6 < lon < 107.2
    assert gazetteer.coordinates(None, None) == (None, None)


def test_commune_rows_carry_their_units_point(sample_run):
    gazetteer = load_gazetteer()
    communes = load_tables(sample_run)["communes"]
    unresolved = communes["method"] == "unresolved"
    assert communes.loc[unresolved, ["latitude", "longitude"]].isna().all().all()
    for row in communes[~unresolved].itertuples():
        if row.method == "legacy":
            unit = gazetteer.legacy_by_code[row.legacy_code]
        else:
            unit = gazetteer.units[row.ward_code]
        assert (row.latitude, row.longitude) == (unit.latitude, unit.longitude), row.mention
    # A former commune is drawn where it was, not on its successor's point.
    former = communes[communes["method"] == "legacy"]
    moved = [math.dist((r.latitude, r.longitude), gazetteer.coordinates(r.becomes_code)) for r in former.itertuples()]
    assert max(moved) > 0.01


def test_gazetteer_is_kept_built_and_a_bad_cache_is_built_again(tmp_path, monkeypatch):
    """A start reads the built gazetteer (0.1 s instead of 0.3 s); a damaged or unwritable
    cache costs only the build."""
    monkeypatch.setenv("PROVNEWS_CACHE_DIR", str(tmp_path / "cache"))
    path = cache_path()
    assert path is not None and path.parent == tmp_path / "cache"
    built = load_gazetteer.__wrapped__()
    assert path.is_file()
    assert load_gazetteer.__wrapped__() == built == build_gazetteer()
    path.write_bytes(b"not a pickle")
    assert load_gazetteer.__wrapped__() == built
    assert pickle.loads(path.read_bytes()) == built  # written again
    monkeypatch.setenv("PROVNEWS_CACHE_DIR", str(tmp_path / "a-file"))
    (tmp_path / "a-file").write_text("in the way")
    assert load_gazetteer.__wrapped__() == built
