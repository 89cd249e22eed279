# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # What the provincial news says about the communes
#
# An analysis of the tables a `provnews run` writes: the difficulties communes report, per
# province; the recommendations they make and to whom; the officials and the communes named
# with them; the former (pre-merger) communes and what they became; a map of the communes named.
#
# The tables are read from `PROVNEWS_TABLES` (default `data/processed`, the output of
# `make run`); figures are saved to `PROVNEWS_FIGURES` (default `notebooks/figures/`); a
# relative path is taken from the project root.
# `make notebook` runs the pipeline on the sample inputs (`data/raw/` and the 60 articles of
# `tests/corpus/fresh/`) and executes this notebook on them; the test suite does the same.
# `explore_tables.ipynb` and `explore_tables.py` are paired by jupytext: edit either, then
# `jupytext --sync notebooks/explore_tables.py`.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import pipeline
from pipeline.gazetteer import load_gazetteer

ROOT = Path.cwd().parent if Path.cwd().name == "notebooks" else Path.cwd()
TABLES = ROOT / os.environ.get("PROVNEWS_TABLES", "data/processed")  # a relative path is from the project root
FIGURES = ROOT / os.environ.get("PROVNEWS_FIGURES", "notebooks/figures")
if not (TABLES / "articles").is_dir():
    raise FileNotFoundError(f"{TABLES}: no provnews tables here; run `make run` or set PROVNEWS_TABLES")
FIGURES.mkdir(parents=True, exist_ok=True)
pd.set_option("display.max_colwidth", 120)

tables = pipeline.load_tables(TABLES)
pd.Series({name: len(df) for name, df in tables.items()}, name="rows")

# %% [markdown]
# Every table row carries `article_id`; the article's province (from its newspaper, the
# `Source:` link, or the communes it names) comes from the `articles` table.

# %%
articles = tables["articles"][["article_id", "site", "title", "province_name"]]
province_of = articles.set_index("article_id")["province_name"].fillna("(province unknown)")
province_of.value_counts().rename("articles").to_frame()

# %% [markdown]
# ## Difficulty categories per province
# One row per difficulty item; `category` is chosen by the keywords of `rules/categories.yaml`.

# %%
difficulties = tables["difficulties"].assign(province=lambda d: d["article_id"].map(province_of))
by_province = pd.crosstab(difficulties["province"], difficulties["category"])
by_province = by_province.loc[by_province.sum(axis=1).sort_values().index]
by_province.iloc[::-1]

# %%
order = [c for c in by_province.sum().sort_values(ascending=False).index if c != "other"]
order += ["other"] if "other" in by_province else []
colours = [plt.get_cmap("tab10")(i % 10) for i in range(len(order))]
colours[-1:] = ["0.75"] if order[-1:] == ["other"] else colours[-1:]
ax = by_province[order].plot.barh(stacked=True, figsize=(9, max(3, 0.35 * len(by_province))), color=colours)
ax.set_xlabel("difficulties reported")
ax.set_ylabel("")
ax.set_title("Difficulties by category and province")
ax.legend(title="category", bbox_to_anchor=(1.01, 1), loc="upper left")
plt.savefig(FIGURES / "difficulties_by_province.png", dpi=120, bbox_inches="tight")
plt.show()

# %% [markdown]
# ## The most frequent recommendations, and who they are addressed to
# `addressee` is the body asked (the province, the Government, "competent authorities"...),
# `proposer` who asks (a commune, "local voters", a named official); either is empty when the
# article does not say.

# %%
recommendations = tables["recommendations"].assign(
    addressee=lambda d: d["addressee"].str.replace(r"^the\s+", "", case=False, regex=True).str.strip().fillna("(not stated)"),
    proposer=lambda d: d["proposer"].fillna("(not stated)"),
)
recommendations.groupby("category").agg(
    items=("text", "size"), articles=("article_id", "nunique"), example=("text", lambda t: min(t, key=len)),
).sort_values("items", ascending=False)

# %%
top_addressees = recommendations["addressee"].value_counts().head(8).index
addressed = recommendations.assign(
    addressee=recommendations["addressee"].where(recommendations["addressee"].isin(top_addressees), "(other)"))
to_whom = pd.crosstab(addressed["category"], addressed["addressee"])
to_whom = to_whom.loc[to_whom.sum(axis=1).sort_values().index]
named = [a for a in to_whom.sum().sort_values(ascending=False).index if not a.startswith("(")]
unnamed = [a for a in ("(other)", "(not stated)") if a in to_whom]
colours = [plt.get_cmap("tab10")(i % 10) for i in range(len(named))] + ["0.6", "0.85"][:len(unnamed)]
ax = to_whom[named + unnamed].plot.barh(stacked=True, figsize=(9, 5), color=colours)
ax.set_xlabel("recommendations")
ax.set_ylabel("")
ax.set_title("Recommendations by category, and who they are addressed to")
ax.legend(title="addressed to", bbox_to_anchor=(1.01, 1), loc="upper left")
plt.savefig(FIGURES / "recommendations_by_addressee.png", dpi=120, bbox_inches="tight")
plt.show()

# %%
recommendations["proposer"].value_counts().head(12).rename("recommendations").to_frame()

# %% [markdown]
# ## Communes named: one place per unit, former communes included
# A former (pre-merger) commune has no `ward_code` (the article names the old unit, not its
# successor): it has `legacy_code`/`legacy_name` and `becomes_code`/`becomes_name`. An
# unresolved mention has neither. Grouping by `ward_code` alone would silently drop both, so
# each row gets a `place` key that is never empty.

# %%
communes = tables["communes"].copy()
former = communes["method"].eq("legacy")
communes["place_code"] = communes["ward_code"].fillna("former " + communes["legacy_code"].fillna(""))
communes.loc[communes["method"].eq("unresolved"), "place_code"] = "unresolved " + communes["mention"]
communes["place"] = communes["ward_name"].fillna(communes["legacy_name"] + " (former, now " + communes["becomes_name"] + ")")
communes["place"] = communes["place"].fillna(communes["mention"] + " (unresolved)")
places = communes.groupby(["place_code", "place", "province_name"], dropna=False).agg(
    mentions=("article_id", "size"), articles=("article_id", "nunique"),
    latitude=("latitude", "first"), longitude=("longitude", "first"), method=("method", "first"),
).reset_index()
assert places["mentions"].sum() == len(communes), "a commune row was lost in the grouping"
communes["method"].value_counts().rename("mentions").to_frame()

# %%
places.sort_values(["articles", "mentions"], ascending=False).head(15)

# %% [markdown]
# ## Officials and the communes they visited
# An official and a commune named in the same article: most articles report a visit, a
# working session or a meeting with voters there, so this is where they went (read the
# article before quoting one pair: some name a commune only as the subject of a report).
# `level` and `organization` are those of the person's most local office.

# %%
officials = tables["officials"][["article_id", "name", "name_key", "titles", "organization", "level"]]
resolved = communes[communes["method"] != "unresolved"]
visits = officials.merge(resolved[["article_id", "place"]].drop_duplicates(), on="article_id")
visited = visits.groupby("name_key").agg(
    name=("name", "first"), level=("level", "first"), organization=("organization", "first"),
    articles=("article_id", "nunique"), communes=("place", "nunique"),
    named_with=("place", lambda p: ", ".join(sorted(set(p))[:6]) + (" ..." if p.nunique() > 6 else "")),
)
first_title = officials.drop_duplicates("name_key").set_index("name_key")["titles"].map(
    lambda t: t[0] if t is not None and len(t) else "")
visited.assign(title=first_title).sort_values(["communes", "articles"], ascending=False).head(15)

# %% [markdown]
# ## Former communes and what they became
# Pre-merger units named in the articles (`method == "legacy"`), with the 2025 unit that
# absorbed them (the package's conversion table; the default successor when it was divided).

# %%
(communes[former]
 .groupby(["legacy_name", "legacy_code", "becomes_name", "becomes_code", "province_name"], dropna=False)
 .agg(mentions=("article_id", "size"), articles=("article_id", "nunique"))
 .reset_index().sort_values(["articles", "mentions"], ascending=False))

# %% [markdown]
# ## Map of the communes named
# Coordinates come from the `communes` table (`latitude`/`longitude`, the point the
# `vietnamadminunits` gazetteer gives each unit; a former commune keeps its own point). The
# grey dots are all 3,321 units of 2025: the gazetteer ships no province outlines, and the
# points draw the country well enough. No map tiles are downloaded.

# %%
gazetteer = load_gazetteer()
country = pd.DataFrame([(u.longitude, u.latitude) for u in gazetteer.units.values()], columns=["longitude", "latitude"])
mapped = places.dropna(subset=["latitude", "longitude"])
provinces = sorted(mapped["province_name"].dropna().unique())
palette = [plt.get_cmap(name)(i) for name in ("tab20", "tab20b", "tab20c") for i in range(20)]
colours = {p: palette[(7 * i) % len(palette)] for i, p in enumerate(provinces)}  # neighbours in the list differ
markers = {p: "osD^v"[i % 5] for i, p in enumerate(provinces)}

fig, ax = plt.subplots(figsize=(8, 11))
ax.scatter(country["longitude"], country["latitude"], s=1, color="0.85", label="_nolegend_")
for province, group in mapped.groupby("province_name"):
    now, old = group[group["method"] != "legacy"], group[group["method"] == "legacy"]
    ax.scatter(now["longitude"], now["latitude"], s=14 + 10 * now["articles"], color=colours[province],
               marker=markers[province], edgecolor="black", linewidth=0.3, label=province)
    ax.scatter(old["longitude"], old["latitude"], s=14 + 10 * old["articles"], facecolor="none",
               marker=markers[province], edgecolor=colours[province], linewidth=1.2, label="_nolegend_")
ax.scatter([], [], s=30, facecolor="none", edgecolor="black", label="former commune (hollow)")
ax.set_aspect(1 / np.cos(np.radians(16)))  # degrees of longitude are shorter at Vietnam's latitude
ax.set_xlabel("longitude")
ax.set_ylabel("latitude")
ax.set_title(f"{len(mapped)} communes named in {communes['article_id'].nunique()} articles")
ax.legend(fontsize=7, bbox_to_anchor=(1.01, 1), loc="upper left", title="province")
plt.savefig(FIGURES / "communes_map.png", dpi=120, bbox_inches="tight")
plt.show()
unmapped = places[places["latitude"].isna()]
f"{len(unmapped)} places without coordinates (unresolved mentions): {', '.join(unmapped['place'].head(10))}"

# %% [markdown]
# ## Provenance: every row points back into the article text

# %%
texts = tables["articles"].set_index("article_id")["text"]
row = tables["difficulties"].iloc[0]
texts[row.article_id][row.start_char:row.end_char], row.rule_id
