"""Command line: parses arguments, calls the library, turns expected failures into one line.

Exit status of `provnews run`: 0 every input was processed (or was already in the tables, or
a duplicate); 1 some inputs failed (each has a line on stderr and a row in `errors`); 2 usage
error, nothing written (arguments, settings, rules, model, an --out that cannot be used);
3 a batch could not be written (disk full, I/O error), the batches committed before it are
kept; 130 interrupted (Ctrl-C), 143 stopped (SIGTERM).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from datetime import date
from pathlib import Path

from pipeline import __version__
from pipeline.errors import ConfigError, ProvnewsError, WriteError

EXIT_OK, EXIT_INPUTS_FAILED, EXIT_USAGE, EXIT_WRITE_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_STOPPED = 128 + signal.SIGTERM  # 143, as the shell reports a process that SIGTERM ended


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="provnews", description="Vietnam's provincial news → Parquet tables.")
    parser.add_argument("--version", action="version", version=f"provnews {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="process articles into tables")
    run.add_argument("inputs", nargs="+",
                     help=".html/.htm, .txt, .jsonl(.gz), .warc(.gz) files, folders of them, raw stores")
    run.add_argument("--out", default="data/processed", help="output folder of the tables (default: data/processed)")
    run.add_argument("--config", type=Path, help="TOML settings file overlaid on the defaults")
    run.add_argument("--rules", type=Path, help="rules folder (default: rules/ of this checkout)")
    run.add_argument("--model", help="spaCy model to load (default from settings)")
    run.add_argument("--rules-only", action="store_true", help="no statistical model: rules and gazetteer only (fast)")
    run.add_argument("--n-process", type=int, help="worker processes (0 = one per core; with --engine dask and no "
                     "--scheduler: the workers of the cluster started here)")
    run.add_argument("--engine", choices=["local", "dask"], help="where the batches run (default from settings: local)")
    run.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler for --engine dask, e.g. tcp://10.0.0.5:8786 "
                     "(default: $DASK_SCHEDULER_ADDRESS, else a cluster on this machine)")
    fetch = sub.add_parser("fetch", help="fetch pages (URL files, feeds, sitemaps) into the raw store, politely")
    fetch.add_argument("url_files", nargs="*", type=Path, metavar="URLS_FILE",
                       help="text file of URLs, one a line (# comments and blank lines allowed)")
    fetch.add_argument("--feed", action="append", default=[], metavar="URL", help="an RSS/Atom feed (repeatable)")
    fetch.add_argument("--sitemap", action="append", default=[], metavar="URL",
                       help="a sitemap or sitemap index, gzip'd or not (repeatable)")
    fetch.add_argument("--raw", type=Path, default=Path("data/raw"),
                       help="raw folder; the store is RAW/store/ (default: data/raw)")
    fetch.add_argument("--since", type=_date, metavar="YYYY-MM-DD",
                       help="only sitemap/feed entries modified on or after this date")
    fetch.add_argument("--refresh", action="store_true",
                       help="ask again for pages already stored (conditional GET) and for final failures")
    fetch.add_argument("--warc", type=Path, metavar="OUT.warc.gz", help="also write the fetched pages as a WARC file")
    fetch.add_argument("--config", type=Path, help="TOML settings file overlaid on the defaults ([fetch])")
    evaluate = sub.add_parser("evaluate", help="score tables against gold annotations (as ../shared/tools/score.py)")
    evaluate.add_argument("gold_dir", type=Path, help="folder of gold <id>.json files")
    evaluate.add_argument("processed_dir", type=Path, help="tables folder written by `provnews run`")
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")
    evaluate.add_argument("--errors", "--show-errors", dest="errors", action="store_true",
                          help="list every miss and extra with its sentence and the rule that fired")
    evaluate.add_argument("--baseline", type=Path, metavar="OTHER_TABLES_DIR",
                          help="another run's tables: print what changed (items gained, lost, F1 per table)")
    sets = sub.add_parser("evaluate-sets", help="run and score every gold set (../shared/corpus, tests/corpus/*): "
                          "a line a set")
    sets.add_argument("--only", action="append", default=[], metavar="NAME",
                      help="only this set (repeatable): corpus, fresh, holdout, blind, blind3, ...")
    sets.add_argument("--out", type=Path, help="keep the tables here, a folder a set (default: a temporary folder)")
    sets.add_argument("--config", type=Path, help="TOML settings file overlaid on the defaults")
    sets.add_argument("--rules", type=Path, help="rules folder (default: rules/ of this checkout)")
    sets.add_argument("--model", help="spaCy model to load (default from settings)")
    sets.add_argument("--rules-only", action="store_true", help="no statistical model: rules and gazetteer only")
    sets.add_argument("--json", action="store_true", help="print the scores as JSON")
    sets.add_argument("--baseline", type=Path, metavar="JSON",
                      help="scores saved from an earlier --json run: print each set's F1 before -> now")
    agree = sub.add_parser("agreement", help="how far two annotations of the same articles agree "
                           "(difficulties, recommendations, directions)")
    agree.add_argument("first_dir", type=Path, help="folder of gold <id>.json files")
    agree.add_argument("second_dir", type=Path, help="another reader's <id>.json files for the same articles")
    agree.add_argument("--json", action="store_true", help="print the scores as JSON")
    gazetteer = sub.add_parser("gazetteer", help="look into the gazetteer the linker uses")
    gazetteer_sub = gazetteer.add_subparsers(dest="gazetteer_command", required=True)
    lookup = gazetteer_sub.add_parser("lookup", help="candidates for a commune name and why the winner wins")
    lookup.add_argument("name", help='a commune/ward name, with or without diacritics ("Loc Binh")')
    lookup.add_argument("--province", help="the article's province (2025 name or code, or a pre-2025 name)")
    lookup.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="the article's date (before 2025-07-01: "
                        "names mean the units of that day)")
    lookup.add_argument("--config", type=Path, help="TOML settings file overlaid on the defaults ([link])")
    rules = sub.add_parser("rules", help="work with rules/*.yaml")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    check = rules_sub.add_parser("check", help="validate every rule and run its examples")
    check.add_argument("--rules", type=Path, help="rules folder (default: rules/ of this checkout)")
    check.add_argument("--config", type=Path)
    return parser


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2025-07-01") from None


def _settings(args: argparse.Namespace):
    from pipeline.settings import load_settings

    nlp = {}
    if getattr(args, "model", None):
        nlp["model"] = args.model
    if getattr(args, "n_process", None) is not None:
        nlp["n_process"] = args.n_process
    overrides = {"nlp": nlp} if nlp else {}
    if getattr(args, "rules", None):
        overrides["rules_dir"] = args.rules
    return load_settings(args.config, **overrides)


def _evaluate_sets(args: argparse.Namespace) -> int:
    from pipeline.evaluate.sets import change_lines, gold_sets, lines, load_baseline, score_sets

    baseline = load_baseline(args.baseline) if args.baseline else None  # a bad file fails before the runs
    sets = gold_sets()
    unknown = sorted(set(args.only) - {s.name for s in sets})
    if unknown:
        raise ConfigError(f"no gold set named {', '.join(unknown)}; there are: {', '.join(s.name for s in sets)}")
    chosen = [s for s in sets if not args.only or s.name in args.only]
    results = score_sets(chosen, _settings(args), args.out, rules_only=args.rules_only,
                         report=lambda line: print(line, file=sys.stderr))
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        print("\n".join(change_lines(results, baseline) if baseline is not None else lines(results)))
    return 0


class Stopped(BaseException):
    """SIGTERM (a scheduler's stop, `kill`): ended as Ctrl-C ends a run, with its message."""


def _stop(signum: int, frame: object) -> None:
    raise Stopped()


def _default_stop_in_child() -> None:
    """A forked worker (--n-process, a Dask LocalCluster) ends on SIGTERM as any process does:
    the handler that stops a run cleanly belongs to the command line's own process."""
    if signal.getsignal(signal.SIGTERM) is _stop:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_default_stop_in_child)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _stop)
    else:  # (signals go to the main thread only)
        previous = None
    try:
        return _main(args)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(args: argparse.Namespace) -> int:
    try:
        if args.command == "run":
            from pipeline.run import run

            summary = run(args.inputs, args.out, _settings(args), rules_only=args.rules_only,
                          report=lambda line: print(line, file=sys.stderr), engine=args.engine,
                          scheduler=args.scheduler)
            print("\n".join(summary.lines()))
            return EXIT_INPUTS_FAILED if summary.failed else EXIT_OK
        if args.command == "fetch":
            from pipeline.fetch import fetch

            summary = fetch(args.url_files, args.feed, args.sitemap, args.raw, _settings(args), since=args.since,
                            refresh=args.refresh, warc=args.warc, report=lambda line: print(line, file=sys.stderr))
            print("\n".join(summary.lines()))
            return EXIT_INPUTS_FAILED if summary.failed or summary.discovery_failed or summary.bad_lines else EXIT_OK
        if args.command == "evaluate":
            from pipeline.evaluate import report

            print(report(args.gold_dir, args.processed_dir, baseline=args.baseline, errors=args.errors,
                         as_json=args.json))
            return 0
        if args.command == "evaluate-sets":
            return _evaluate_sets(args)
        if args.command == "agreement":
            from pipeline.evaluate.agreement import agreement, agreement_lines

            scores = agreement(args.first_dir, args.second_dir)
            print(json.dumps(scores, indent=1) if args.json else "\n".join(agreement_lines(scores)))
            return 0
        if args.command == "gazetteer":
            from pipeline.lookup import lookup

            found = lookup(args.name, args.province, args.date.isoformat() if args.date else None,
                           _settings(args).link)
            print("\n".join(found.lines()))
            return 0 if found.link.method != "unresolved" else 1
        if args.command == "rules":
            from pipeline.rules_check import check_rules

            problems = check_rules(_settings(args))
            for line in problems:
                print(line)
            print(f"rules check: {len(problems)} problem(s)")
            return 1 if problems else 0
    except ProvnewsError as exc:
        print(f"provnews: error: {exc}", file=sys.stderr)
        return EXIT_WRITE_FAILED if isinstance(exc, WriteError) else EXIT_USAGE
    except KeyboardInterrupt:
        print("provnews: interrupted; committed batches are kept, re-run to continue", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Stopped:
        print("provnews: stopped (SIGTERM); committed batches are kept, re-run to continue", file=sys.stderr)
        return EXIT_STOPPED
    return 0
