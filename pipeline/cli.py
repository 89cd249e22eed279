"""Command line: parses arguments, calls the library, turns expected failures into one line."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.errors import ProvnewsError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="provnews", description="Vietnam's provincial news → Parquet tables.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="process articles into tables")
    run.add_argument("inputs", nargs="+", help=".html/.htm, .txt, .jsonl(.gz) files or folders of them")
    run.add_argument("--out", default="data/processed", help="output folder of the tables (default: data/processed)")
    run.add_argument("--config", type=Path, help="TOML settings file overlaid on the defaults")
    run.add_argument("--rules", type=Path, help="rules folder (default: rules/ of this checkout)")
    run.add_argument("--model", help="spaCy model to load (default from settings)")
    run.add_argument("--rules-only", action="store_true", help="no statistical model: rules and gazetteer only (fast)")
    run.add_argument("--n-process", type=int, help="worker processes for spaCy (0 = one per core)")
    evaluate = sub.add_parser("evaluate", help="score tables against gold annotations (as ../shared/tools/score.py)")
    evaluate.add_argument("gold_dir", type=Path, help="folder of gold <id>.json files")
    evaluate.add_argument("processed_dir", type=Path, help="tables folder written by `provnews run`")
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")
    evaluate.add_argument("--show-errors", action="store_true", help="list every miss and extra")
    rules = sub.add_parser("rules", help="work with rules/*.yaml")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    check = rules_sub.add_parser("check", help="validate every rule and run its examples")
    check.add_argument("--rules", type=Path, help="rules folder (default: rules/ of this checkout)")
    check.add_argument("--config", type=Path)
    return parser


def _settings(args: argparse.Namespace):
    from pipeline.settings import load_settings

    nlp = {}
    if getattr(args, "model", None):
        nlp["model"] = args.model
    if getattr(args, "n_process", None) is not None:
        nlp["n_process"] = args.n_process
    overrides = {"nlp": nlp} if nlp else {}
    if args.rules:
        overrides["rules_dir"] = args.rules
    return load_settings(args.config, **overrides)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            from pipeline.run import run

            summary = run(args.inputs, args.out, _settings(args), rules_only=args.rules_only,
                          report=lambda line: print(line, file=sys.stderr))
            print("\n".join(summary.lines()))
            return 0
        if args.command == "evaluate":
            import json

            from pipeline.evaluate import evaluate

            result = evaluate(args.gold_dir, args.processed_dir)
            if args.show_errors:
                print("\n".join(result.errors))
            print(json.dumps(result.scores, indent=1) if args.json else "\n".join(result.lines()))
            return 0
        if args.command == "rules":
            from pipeline.rules_check import check_rules

            problems = check_rules(_settings(args))
            for line in problems:
                print(line)
            print(f"rules check: {len(problems)} problem(s)")
            return 1 if problems else 0
    except ProvnewsError as exc:
        print(f"provnews: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("provnews: interrupted; committed batches are kept, re-run to continue", file=sys.stderr)
        return 130
    return 0
