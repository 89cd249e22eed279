"""The README's worked example, end to end: copy rules/, add the README's rule, check it, run
the fresh articles with the copy, and see the gain with `evaluate --baseline`."""
from __future__ import annotations

import re
import shutil

import yaml

from pipeline.cli import main

from conftest import FRESH, ROOT

ARTICLE = "f-sonla-binh-thuan-voters-office-funding"


def readme_rule() -> dict:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme[readme.index("### Worked example"):]
    block = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    (rule,) = yaml.safe_load(block)
    return rule


def test_worked_example(tmp_path, fresh_rules_only, capsys):
    rule = readme_rule()
    rules = tmp_path / "my-rules"
    shutil.copytree(ROOT / "rules", rules)
    path = rules / "recommendations.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    assert rule["id"] not in {r["id"] for r in data["rules"]}
    data["rules"].append(rule)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")

    assert main(["rules", "check", "--rules", str(rules)]) == 0
    assert capsys.readouterr().out.strip().endswith("rules check: 0 problem(s)")

    after = tmp_path / "after"
    assert main(["run", str(FRESH / "articles.jsonl"), "--out", str(after), "--rules", str(rules), "--rules-only"]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(FRESH / "gold"), str(after), "--baseline", str(fresh_rules_only)]) == 0
    out = capsys.readouterr().out
    summary = re.search(r"recommendations +F1 ([\d.]+) -> ([\d.]+) \(\+[\d.]+\)  gained (\d+), lost 0", out)
    assert summary, out
    assert float(summary.group(2)) > float(summary.group(1)) and int(summary.group(3)) >= 1
    assert f"+ recommendations {ARTICLE}: gained 'funding for the construction of a commune-level sports stadium'" in out
    assert f"[{rule['id']}]" in out
    for table in ("communes", "officials", "difficulties"):
        assert re.search(rf"{table} +F1 ([\d.]+) -> \1 \(\+0.000\)  gained 0, lost 0", out), table

    # The other way round, the same change is a loss.
    assert main(["evaluate", str(FRESH / "gold"), str(fresh_rules_only), "--baseline", str(after)]) == 0
    assert re.search(r"recommendations +F1 [\d.]+ -> [\d.]+ \(-[\d.]+\)  gained 0, lost [1-9]", capsys.readouterr().out)
