"""`canipost`: ask, index, eval, bench and serve from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.errors import InputError, UserError
from bot.core.models import ACCOUNTS, Advisor, CheckRequest, Decision
from bot.store.records import MAX_NOTE_CHARS

VERDICT_LABELS = {
    "ok": "OK TO POST",
    "revise": "REVISE BEFORE POSTING",
    "do_not_post": "DO NOT POST",
    "needs_review": "NEEDS REVIEW",
}


# ------------------------------------------------------------------ helpers
def _settings() -> Settings:
    return Settings.from_env()


def _progress_bar(stream: TextIO) -> Callable[[int, int, str], None]:
    """A one-line progress bar on stderr for folders with many files."""

    def show(done: int, total: int, name: str) -> None:
        if total < 10:
            return
        width = 30
        filled = int(width * done / total)
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show


def load_engine(settings: Settings, *, rebuild: bool = False, progress: bool = False) -> Engine:
    return Engine.load(
        settings.policy_docs_dir,
        settings.index_dir,
        rebuild=rebuild,
        progress=_progress_bar(sys.stderr) if progress else None,
    )


def build_advisor(settings: Settings, engine: Engine, engine_name: str = "auto") -> Advisor:
    """`auto` uses the model when OPENAI_API_KEY is set; `local` never does; `llm` must."""
    if engine_name == "local":
        return engine
    from bot.config import ConfigError
    from bot.llm import build_advisor as build_llm_advisor

    if engine_name == "llm" and not settings.llm_enabled:
        raise ConfigError(
            "--engine llm needs OPENAI_API_KEY (and OPENAI_BASE_URL for a local "
            "OpenAI-compatible server)"
        )
    return build_llm_advisor(settings, engine)


def read_draft(argument: str) -> str:
    """The draft from the argument, or from stdin for `-`, as strictly decoded UTF-8."""
    if argument != "-":
        return argument
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"standard input is not valid UTF-8 (byte 0x{data[error.start]:02x} at position "
            f"{error.start})"
        ) from None


def format_decision(decision: Decision) -> str:
    lines = [f"{VERDICT_LABELS[decision.verdict]}  ({decision.verdict})", decision.summary]
    actionable = [f for f in decision.findings if f.severity != "info"]
    if actionable:
        lines.append("")
        lines.append("What to change:")
        for finding in actionable:
            lines.append(f"  - [{finding.severity}] {finding.message}")
            lines.append(f"    Fix: {finding.fix}")
    if decision.rewrite:
        lines += ["", "Suggested rewrite:", f"  {decision.rewrite}"]
    if decision.citations:
        lines.append("")
        lines.append("Policy:")
        for citation in decision.citations:
            page = f", p. {citation.page}" if citation.page else ""
            lines.append(f"  § {citation.section} {citation.title}  ({citation.source}{page})")
            lines.append(f'    "{citation.quote}"')
    for note in decision.notes:
        lines.append(f"Note: {note}")
    if decision.escalate:
        lines.append(
            "A reviewer (the PIO) should decide: in Slack this case goes to the review queue "
            "by itself, or use /canipost review <draft>."
        )
    lines.append("")
    lines.append(
        f"policy {decision.policy_version} · engine {decision.engine} · "
        f"{decision.latency_ms:.1f} ms"
    )
    return "\n".join(lines)


# ----------------------------------------------------------------- commands
def cmd_ask(args: argparse.Namespace) -> int:
    settings = _settings()
    if args.jsonl is not None:
        if args.text is not None:
            raise UserError("give either TEXT or --jsonl FILE, not both")
        return _ask_jsonl(settings, args)
    if args.text is None:
        raise UserError("give the draft as TEXT, or - to read it from standard input")
    draft = read_draft(args.text)
    request = CheckRequest(text=draft, account=args.account, incident=args.incident)
    advisor = build_advisor(settings, load_engine(settings), args.engine)
    decision = advisor.check(request)
    print(decision.to_json(indent=2) if args.json else format_decision(decision))
    return 0


def _request_from_json(line: str) -> CheckRequest:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(data, dict):
        raise InputError("each line must be a JSON object")
    text = data.get("text")
    if not isinstance(text, str):
        raise InputError('missing "text" (a string)')
    account = data.get("account", "unknown") or "unknown"
    if account not in ACCOUNTS:
        raise InputError(f'"account" must be one of {", ".join(ACCOUNTS)}')
    incident = data.get("incident", False)
    if not isinstance(incident, bool):
        raise InputError('"incident" must be true or false')
    return CheckRequest(text=text, account=account, incident=incident, surface="cli")


def _ask_jsonl(settings: Settings, args: argparse.Namespace) -> int:
    if args.jsonl == "-":
        source = sys.stdin.buffer.read()
        name = "standard input"
    else:
        try:
            source = Path(args.jsonl).read_bytes()
        except OSError as error:
            raise UserError(f"cannot read {args.jsonl}: {error.strerror}") from None
        name = args.jsonl
    advisor = build_advisor(settings, load_engine(settings), args.engine)
    failures = 0
    for number, raw in enumerate(source.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError("line is not valid UTF-8") from None
            decision = advisor.check(_request_from_json(line))
            print(decision.to_json(), flush=True)
        except InputError as error:
            failures += 1
            print(json.dumps({"error": f"line {number}: {error}"}), flush=True)
    if failures:
        print(f"canipost: {failures} line(s) of {name} could not be checked", file=sys.stderr)
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    settings = _settings()
    engine = load_engine(settings, rebuild=not args.use_cache, progress=True)
    stats = engine.stats
    from bot.core.understanding import format_understanding, understanding

    if args.json:
        print(json.dumps(understanding(engine, with_sections=True), indent=2, ensure_ascii=False))
        return 0
    origin = "loaded from cache" if stats.from_cache else "built"
    print(
        f"Index {origin}: {stats.files} file(s), {stats.sections} sections, "
        f"{stats.passages} passages, {stats.tokens:,} tokens in {stats.seconds:.2f} s"
    )
    print(f"Policy folder: {settings.policy_docs_dir}")
    print(f"Policy version: {stats.policy_version}  (cache: {settings.index_dir})")
    if stats.sample_policy:
        print("This is the built-in sample policy (the rules were written against it).")
    print(format_understanding(engine, with_sections=args.sections))
    if not settings.llm_enabled:
        return 0
    from bot.llm import ModelUnavailable, index_embeddings

    try:
        embedded = index_embeddings(settings, engine)
    except ModelUnavailable as error:
        print(f"canipost: embeddings not built ({error}); answers use BM25 alone", file=sys.stderr)
        return 1
    print(
        f"Embeddings ({embedded.model}): {embedded.passages} passages, {embedded.cached} from "
        f"cache, {embedded.embedded} new in {embedded.calls} call(s), "
        f"${embedded.cost_usd:.4f}, {embedded.seconds:.2f} s"
    )
    return 0


def cmd_policy_show(args: argparse.Namespace) -> int:
    from bot.core.understanding import format_topic

    engine = load_engine(_settings())  # the judge's embeddings take part in the search
    try:
        print(format_topic(engine, args.topic))
    except KeyError as error:
        raise UserError(str(error.args[0])) from None
    return 0


def _embedding_cache(settings: Settings):  # noqa: ANN202
    from bot.core.judge import UniversalSentenceEncoder
    from bot.core.training import EmbeddingCache

    return EmbeddingCache(settings.data_dir / "judge-embeddings.npz", UniversalSentenceEncoder())


def _eval_files(args: argparse.Namespace) -> list[Path]:
    from bot.core.evaluation import SHIPPED_CASE_FILES, batch_files

    return (
        [Path(path) for path in args.cases]
        if args.cases
        else [
            *SHIPPED_CASE_FILES,
            *batch_files(),
        ]
    )


def _eval_manuals(args: argparse.Namespace) -> int:
    """Score the questions about real departments' manuals against those manuals; with
    --first-run, record the sets that have no first run yet (and score only those)."""
    from bot.core.manual_eval import (
        first_run_path,
        format_manual_reports,
        manual_report_dict,
        manual_sets,
        run_manual_eval,
    )

    only = None
    if args.first_run:
        only = {name for name in manual_sets() if not first_run_path(name).exists()}
        if not only:
            raise UserError("every manual question set already has its first run on record")
    settings = _settings()
    reports = run_manual_eval(Path(args.manuals), settings.index_dir, only)
    data = manual_report_dict(reports)
    if args.first_run:
        for report in reports:
            record = manual_report_dict([report])
            record["recorded"] = time.strftime("%Y-%m-%d")
            path = first_run_path(report.name)
            path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
            print(f"first run of {report.name} recorded in {path}", file=sys.stderr)
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        print(format_manual_reports(reports))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.core.evaluation import (
        corpus_files,
        format_report,
        format_score_table,
        load_cases,
        run_eval,
    )
    from bot.core.judge_eval import as_shipped, unseen

    if args.first_runs:
        from bot.core.evaluation import format_first_runs

        print(format_first_runs())
        return 0
    if args.manuals:
        return _eval_manuals(args)
    if args.redaction:
        return _eval_redaction(args)
    settings = _settings()
    paths = _eval_files(args)
    records = [_first_run_record(path) for path in paths] if args.first_run else []
    engine = load_engine(settings)
    cases = [case for path in paths for case in load_cases(path)]
    if args.engine != "local":
        advisor = build_advisor(settings, engine, args.engine)
        report = run_eval(advisor, cases, engine.section)
        if args.json:
            print(json.dumps({"combined": report.to_dict()}, indent=2))
        else:
            print(format_report(report))
        return 1 if report.unsafe_approvals else 0

    shipped = as_shipped(engine, cases)
    report = shipped.report(engine)
    table = shipped.table(engine.combination)
    findings = shipped.rule_findings
    results: dict[str, object] = {
        "as_shipped": {b: {r: s.to_dict() for r, s in row.items()} for b, row in table.items()},
        "combined": report.to_dict(),
    }
    if not args.json:
        print(format_score_table(table, f"== as shipped (judge {engine.judge.version}) =="))
        print()
        print(format_report(report))
    if args.unseen:
        trained_on = {path.stem for path in corpus_files()}
        corpus = [case for case in cases if case.batch in trained_on]
        rows = [i for i, case in enumerate(cases) if case.batch in trained_on]
        progress = None if args.json else _note
        held = unseen(
            corpus, [findings[i] for i in rows], _embedding_cache(settings), progress=progress
        )
        unseen_table = held.table(engine.combination)
        results["unseen"] = {
            b: {r: s.to_dict() for r, s in row.items()} for b, row in unseen_table.items()
        }
        results["unseen_combinations"] = {k: v.to_dict() for k, v in held.combinations().items()}
        if not args.json:
            print()
            print(
                format_score_table(
                    unseen_table,
                    "== unseen: each batch scored by heads trained on the other batches ==",
                )
            )
            print()
            print("unseen, combined, by way of combining:")
            for name, score in held.combinations().items():
                print(f"  {name:<10}{score.cell()}")
    for record in records:
        _record_first_run(record, engine, table[record.stem])
    if not args.cases:
        from bot.core.redaction_eval import load_redaction_cases, run_redaction_eval

        redaction = run_redaction_eval(load_redaction_cases())
        results["redaction"] = redaction.to_dict()
        if not args.json:
            print()
            print(redaction.line() + " (details: canipost eval --redaction)")
    if args.json:
        print(json.dumps(results, indent=2))
    return 1 if report.unsafe_approvals else 0


def _eval_redaction(args: argparse.Namespace) -> int:
    """Score redaction on the evasions in evals/redaction.jsonl (or --cases files)."""
    from bot.core.redaction_eval import (
        REDACTION_CASES,
        format_redaction_report,
        load_redaction_cases,
        run_redaction_eval,
    )

    paths = [Path(path) for path in args.cases] if args.cases else [REDACTION_CASES]
    cases = [case for path in paths for case in load_redaction_cases(path)]
    report = run_redaction_eval(cases)
    if args.json:
        print(json.dumps({"redaction": report.to_dict()}, indent=2))
    else:
        print(format_redaction_report(report))
    return 0


def _first_run_record(path: Path) -> Path:
    """Where a batch's first run goes; refused for non-batches and batches already run."""
    from bot.core.evaluation import BATCHES_DIR, FIRST_RUNS_DIR

    if path.resolve().parent != BATCHES_DIR.resolve():
        raise UserError(f"{path} is not a batch under {BATCHES_DIR}; only batches get a first run")
    record = FIRST_RUNS_DIR / f"{path.stem}.json"
    if record.exists():
        raise UserError(f"{path.stem} already has its first run on record ({record})")
    return record


def _record_first_run(record: Path, engine: Engine, scores: dict) -> None:
    """Keep a batch's first, untuned figures; a batch has exactly one first run."""
    payload = {
        "batch": record.stem,
        "date": time.strftime("%Y-%m-%d"),
        "judge": engine.judge.version if engine.judge else None,
        "judge_trained_on": engine.judge.model.meta.get("batches", []) if engine.judge else [],
        "readers": {reader: score.to_dict() for reader, score in scores.items()},
    }
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"first run of {record.stem} recorded in {record}", file=sys.stderr)


def _note(message: str) -> None:
    print(f"  {message}", file=sys.stderr)


def cmd_train(args: argparse.Namespace) -> int:
    from bot.core.evaluation import corpus_files, load_cases
    from bot.core.judge import MODEL_PATH
    from bot.core.judge_eval import rule_findings_of
    from bot.core.training import train
    from bot.core.verdict import verdict_for

    settings = _settings()
    paths = corpus_files()
    cases = [case for path in paths for case in load_cases(path)]
    rules_only = Engine.load(settings.policy_docs_dir, settings.index_dir, with_judge=False)
    caught = [verdict_for(found) != "ok" for found in rule_findings_of(rules_only, cases)]
    result = train(cases, _embedding_cache(settings), caught, progress=_note)
    out = Path(args.out) if args.out else MODEL_PATH
    try:
        result.model.save(out)
    except OSError as error:
        raise UserError(f"cannot write the judge model {out}: {error.strerror}") from None
    capped = (
        f" (held-out {result.held_out_threshold:.3f}, lowered below a labelled harmful draft)"
        if result.ok_threshold < result.held_out_threshold
        else ""
    )
    print(
        f"Judge {result.model.version}: {result.drafts} drafts from {len(paths)} files, "
        f"{len(result.model.heads)} heads, ok below harm {result.ok_threshold:.3f}{capped}, "
        f"{result.seconds:.1f} s -> {out}"
    )
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from bot.core.benchmark import format_bench, run_bench

    settings = _settings()
    scales = [int(part) for part in args.scales.split(",") if part.strip()]
    results = run_bench(
        settings.policy_docs_dir, scales=scales, decisions=args.decisions, repeats=args.repeats
    )
    print(json.dumps(results, indent=2) if args.json else format_bench(results))
    if args.llm:
        from bot.core.evaluation import DEFAULT_CASES, load_cases
        from bot.llm.bench import run_llm_bench

        engine = load_engine(settings)
        drafts = [
            CheckRequest(case.text, account=case.account, incident=case.incident)  # type: ignore[arg-type]
            for case in load_cases(DEFAULT_CASES)[: args.llm_drafts]
        ]
        numbers = run_llm_bench(settings, engine, drafts)
        print()
        print(f"model prompt size over {len(drafts)} eval drafts ({settings.openai_model}):")
        for key, value in numbers.items():
            print(f"  {key:<34}{value}")
    return 0


OUTCOME_WORDS = {"approve": "approved", "changes": "changes_requested", "reject": "rejected"}


def _open_store(settings: Settings):  # noqa: ANN202 - bot.store.Store, imported lazily
    from bot.store import Store

    return Store.from_settings(settings)


def _age(created_at) -> str:  # noqa: ANN001 - a timezone-aware datetime
    from datetime import UTC, datetime

    minutes = int((datetime.now(UTC) - created_at).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h{minutes % 60:02d}m"
    return f"{minutes // (24 * 60)}d"


def cmd_review(args: argparse.Namespace) -> int:
    settings = _settings()
    store = _open_store(settings)
    try:
        if args.action == "list":
            status = None if args.status == "all" else args.status
            cases = store.list_escalations(status=status, limit=args.limit, oldest_first=True)
            if not cases:
                print(f"No {args.status} review requests.")
                return 0
            print(f"{'id':>5}  {'status':<18}{'age':>7}  {'verdict':<13}{'requester':<12}surface")
            for case in cases:
                print(
                    f"{case.id:>5}  {case.status:<18}{_age(case.created_at):>7}  "
                    f"{case.decision.verdict:<13}{case.requester_id:<12}{case.surface}"
                )
            return 0
        case = store.get_escalation(args.id)
        if case is None:
            raise UserError(f"no review request #{args.id}")
        if args.action == "show":
            _print_case(case, store.events(case.id))
            return 0
        return _decide(settings, store, case, args)
    finally:
        store.close()


def _print_case(case, events) -> None:  # noqa: ANN001 - store records
    print(f"Review request #{case.id}: {case.status} (opened {case.created_at:%Y-%m-%d %H:%M} UTC)")
    print(f"Requester {case.requester_id} via {case.surface}; reason: {case.reason}")
    if case.is_purged:
        print("Draft: (purged under the retention policy)")
    else:
        print("Draft:")
        for line in case.draft_text.splitlines() or [""]:
            print(f"  | {line}")
    print()
    print(format_decision(case.decision))
    if events:
        print()
        print("Trail:")
        for event in events:
            note = f" - {event.note}" if event.note else ""
            print(f"  {event.at:%Y-%m-%d %H:%M} {event.action} by {event.actor}{note}")


def _decide(settings: Settings, store, case, args: argparse.Namespace) -> int:  # noqa: ANN001
    """The same rules as the Slack buttons (bot.slack.review.ReviewService.decide)."""
    from bot.slack.review import decide_from_cli

    reviewer = args.reviewer
    reply, slack_line = decide_from_cli(
        settings, store, escalation_id=case.id, reviewer_id=reviewer,
        outcome=OUTCOME_WORDS[args.outcome], note=args.note,
    )  # fmt: skip
    decided = reply.escalation
    if reply.applied:
        print(f"Review request #{case.id} is now {decided.status if decided else 'decided'}.")
        print(slack_line)
        return 0
    note_chars = len((args.note or "").strip())
    who = "REVIEWER_IDS"
    if settings.reviewer_group_id:
        who += " (or, with SLACK_BOT_TOKEN set, members of REVIEWER_GROUP_ID)"
    if reply.reason == "not_reviewer":
        raise UserError(f"{reviewer} is not a reviewer: only {who} may decide")
    if reply.reason == "note_too_long":
        raise UserError(f"the note is {note_chars:,} characters; the limit is {MAX_NOTE_CHARS:,}")
    if reply.reason == "note_required":
        raise UserError("give a --note telling the officer what to change or why not")
    if reply.reason == "store_down":
        raise UserError("the database did not answer; nothing changed, try again in a minute")
    if reply.reason == "closed" and decided is not None:
        if decided.status == "withdrawn":
            why = "the officer withdrew it"
        elif decided.reviewer_id == reviewer:
            why = f"you already decided it ({decided.status})"
        else:
            why = f"already decided ({decided.status}) by {decided.reviewer_id}"
    else:
        why = {
            "self_review": "a reviewer cannot decide their own request",
            "not_found": "no such request",
        }.get(str(reply.reason), str(reply.reason))
    raise UserError(f"review request #{case.id} not changed: {why}")


def cmd_purge(args: argparse.Namespace) -> int:
    from bot.slack.review import purge_from_cli

    settings = _settings()
    days = settings.retention_days if args.days is None else args.days
    if days < 0:
        raise UserError(f"--days must be 0 or more, got {days}")
    store = _open_store(settings)
    try:
        report = purge_from_cli(settings, store, older_than_days=days)
    finally:
        store.close()
    which = "(--days 0: all of them)" if days == 0 else f"older than {days} day(s)"
    print(f"Purged the drafts of {report.purged} review request(s) {which}.")
    if report.cards_updated:
        print(f"{report.cards_updated} review card(s) in Slack now say the draft was deleted.")
    if report.unchanged:
        cases = ", ".join(f"#{case_id}" for case_id in report.unchanged)
        why = "could not be updated" if settings.slack_bot_token else "were not updated"
        hint = "" if settings.slack_bot_token else " (SLACK_BOT_TOKEN is not set)"
        print(f"The review cards of {cases} {why}{hint}; they may still show the draft.")
    return 0


def _parse_date(value: str):  # noqa: ANN202 - datetime
    from datetime import UTC, datetime

    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (use YYYY-MM-DD)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def cmd_audit(args: argparse.Namespace) -> int:
    settings = _settings()
    store = _open_store(settings)
    try:
        if args.output:
            try:
                with open(args.output, "w", encoding="utf-8", newline="") as out:
                    count = store.export_audit(out, since=args.since, fmt=args.format)
            except OSError as error:
                raise UserError(f"cannot write {args.output}: {error.strerror}") from None
            print(f"Wrote {count} audit event(s) to {args.output}.", file=sys.stderr)
        else:
            store.export_audit(sys.stdout, since=args.since, fmt=args.format)
    finally:
        store.close()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.slack.server import serve

    return serve(_settings())


# ------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="canipost",
        description="Check a social-media draft against the department's policy.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = commands.add_parser("ask", help="check a draft or a question")
    ask.add_argument("text", nargs="?", help="the draft, or - to read standard input")
    ask.add_argument("--account", choices=ACCOUNTS, default="unknown")
    ask.add_argument("--incident", action="store_true", help="an active critical incident")
    ask.add_argument("--json", action="store_true", help="print the Decision JSON")
    ask.add_argument("--jsonl", metavar="FILE", help="one JSON request per line (- for stdin)")
    ask.add_argument("--engine", choices=("auto", "local", "llm"), default="auto")
    ask.set_defaults(handler=cmd_ask)

    index = commands.add_parser("index", help="(re)build the policy index")
    index.add_argument("--use-cache", action="store_true", help="reuse an unchanged index")
    index.add_argument("--json", action="store_true", help="the whole report as JSON")
    index.add_argument("--sections", action="store_true", help="list every section found")
    index.set_defaults(handler=cmd_index)

    policy = commands.add_parser("policy", help="what the engine read in the manual")
    policy_actions = policy.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = policy_actions.add_parser("show", help="the provision that governs a topic")
    show.add_argument("topic", help="a topic key, e.g. uniform_rank (see canipost index)")
    show.set_defaults(handler=cmd_policy_show)

    evaluate = commands.add_parser("eval", help="run the labelled eval set")
    evaluate.add_argument("--cases", action="append", metavar="FILE", help="JSONL eval file(s)")
    evaluate.add_argument("--engine", choices=("auto", "local", "llm"), default="local")
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument(
        "--unseen",
        action="store_true",
        help="also score each batch with heads trained on the other batches only",
    )
    evaluate.add_argument(
        "--first-run",
        action="store_true",
        help="record these batches' first-run table (once per batch, before training on it)",
    )
    evaluate.add_argument(
        "--first-runs", action="store_true", help="print every recorded first run (Markdown)"
    )
    evaluate.add_argument(
        "--redaction",
        action="store_true",
        help="score redaction on the evasions in evals/redaction.jsonl (recall by kind)",
    )
    evaluate.add_argument(
        "--manuals",
        metavar="ROOT",
        help="score evals/manuals/ against the real manuals under ROOT (../shared/policies)",
    )
    evaluate.set_defaults(handler=cmd_eval)

    training = commands.add_parser("train", help="rebuild the judge's heads from evals/")
    training.add_argument("--out", help="where to write the model (default: the shipped file)")
    training.set_defaults(handler=cmd_train)

    bench = commands.add_parser("bench", help="measure decision latency and index build")
    bench.add_argument("--scales", default="1,10,100", help="policy size multiples")
    bench.add_argument("--decisions", type=int, default=300, help="decisions per scale")
    bench.add_argument("--repeats", type=int, default=3, help="index builds per scale")
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--llm", action="store_true", help="also compare model token use")
    bench.add_argument("--llm-drafts", type=int, default=50, help="drafts for --llm")
    bench.set_defaults(handler=cmd_bench)

    review = commands.add_parser("review", help="the reviewers' queue (admin)")
    review_actions = review.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = review_actions.add_parser("list", help="review requests, oldest first")
    listing.add_argument(
        "--status",
        choices=("pending", "approved", "changes_requested", "rejected", "withdrawn", "all"),
        default="pending",
    )
    listing.add_argument("--limit", type=int, default=50)
    show = review_actions.add_parser("show", help="one request with its draft and trail")
    show.add_argument("id", type=int)
    decide = review_actions.add_parser("decide", help="approve, request changes, or reject")
    decide.add_argument("id", type=int)
    decide.add_argument("outcome", choices=tuple(OUTCOME_WORDS))
    decide.add_argument("--as", dest="reviewer", required=True, help="your Slack user id")
    decide.add_argument("--note", help="what to change, or why not (required unless approving)")
    review.set_defaults(handler=cmd_review)

    purge = commands.add_parser("purge", help="delete review drafts past RETENTION_DAYS")
    purge.add_argument(
        "--days", type=int, help="override RETENTION_DAYS (0: every draft, however recent)"
    )
    purge.set_defaults(handler=cmd_purge)

    audit = commands.add_parser("audit", help="export the review audit trail")
    audit.add_argument("--since", type=_parse_date, required=True, help="YYYY-MM-DD")
    audit.add_argument("--format", choices=("csv", "json"), default="csv")
    audit.add_argument("--output", help="write to a file instead of standard output")
    audit.set_defaults(handler=cmd_audit)

    serve = commands.add_parser("serve", help="run the Slack app")
    serve.set_defaults(handler=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except UserError as error:
        print(f"canipost: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("canipost: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
