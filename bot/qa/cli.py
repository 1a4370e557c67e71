"""``maeul ask`` and ``maeul kb unanswered`` (registered in :mod:`bot.cli`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.core.config import SUPPORTED_LANGUAGES

if TYPE_CHECKING:
    from bot.core.config import Settings
    from bot.kb.records import KnowledgeBase
    from bot.qa.engine import QAEngine
    from bot.qa.render import VoteState
    from bot.qa.service import UnansweredGroup


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"maeul: {message}", err=True)
    return typer.Exit(code)


def _load_engine(settings: Settings, kb_path: Path | None) -> QAEngine:
    from bot.kb import records as kb

    if kb_path is not None:
        if not kb_path.is_file():
            raise _fail(f"{kb_path}: no such file", 2)
        parsed, problems = kb.load_and_validate(kb_path)
        if parsed is None:
            typer.echo(f"{kb_path}: {len(problems)} problem(s):", err=True)
            for problem in problems:
                typer.echo(f"  {problem}", err=True)
            raise typer.Exit(2)
        return _engine(parsed, settings)

    from bot.core.cli import _with_db

    async def work(runtime: Any) -> kb.KnowledgeBase | None:
        snapshot: kb.KnowledgeBase | None = await runtime.knowledge.get()
        return snapshot

    snapshot = _with_db(settings, work)
    if snapshot is None:
        raise _fail("the knowledge base is empty; import one first (or pass --kb PATH)", 1)
    return _engine(snapshot, settings)


def _engine(parsed: KnowledgeBase, settings: Settings) -> QAEngine:
    """As the bot answers: with the model unless QA_MODEL=none (vectors from the disk
    cache; missing ones are encoded first, which takes a while once for a large KB)."""
    from bot.qa.service import build_engine

    return build_engine(
        parsed,
        default_language=settings.default_language,
        semantic=settings.qa_model != "none",
        cache_dir=settings.qa_cache_dir,
    )


def _now(settings: Settings, now: str | None) -> datetime:
    from bot.core.clock import make_clock

    if now is None:
        return make_clock(settings.tz, settings.now_start).now()
    try:
        parsed = datetime.fromisoformat(now.strip())
    except ValueError:
        raise _fail(f"--now: expected an ISO datetime such as 2027-02-01T10:00:00+09:00, "
                    f"got {now!r}", 2) from None  # fmt: skip
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=settings.tz)
    return parsed.astimezone(settings.tz)


def _lines(batch: str) -> Iterator[str]:
    if batch == "-":
        source: Iterable[str] = sys.stdin
    else:
        path = Path(batch)
        if not path.is_file():
            raise _fail(f"{batch}: no such file", 2)
        source = path.read_text(encoding="utf-8").splitlines()
    for line in source:
        question = line.strip()
        if question:
            yield question


def answer_one(
    engine: QAEngine,
    question: str,
    now: datetime,
    lang: str | None,
    settings: Settings,
    *,
    live: bool = False,
    dong: str | None = None,
) -> dict[str, Any]:
    """``live``: answers about an online vote say the vote as it stands in the database
    (moved or closed early by staff), as the bot does; without it, the KB's plan. ``dong``:
    the asker's own dong, as /mydong sets it in the bot."""
    from bot.core.i18n import Translator
    from bot.qa.engine import answer_language
    from bot.qa.render import render

    chosen = lang or answer_language(question, settings.default_language)
    answer = engine.ask(question, now, chosen, home_dong=dong)
    vote = _live_vote(settings, answer.id, now) if live and answer.kind == "assembly" else None
    text = render(engine, answer, Translator(answer.lang, settings.tz), now, vote)
    return answer.as_json(text)


def _live_vote(settings: Settings, assembly_id: str | None, now: datetime) -> VoteState | None:
    from bot.core.cli import _with_db
    from bot.qa import live

    if assembly_id is None:
        return None

    async def work(runtime: Any) -> VoteState | None:
        async with runtime.sessionmaker() as session:
            return await live.vote_state(session, assembly_id, now)

    found: VoteState | None = _with_db(settings, work)
    return found


def _kb_dong(engine: QAEngine, typed: str) -> str:
    """The id of the KB's dong ``typed`` names (its id or its name, as every ``--dong``)."""
    from bot.core.dongs import UnknownDong, resolve_dong
    from models import Dong

    dongs = [Dong(id=d.id, name=d.name.model_dump()) for d in engine.dongs.values()]
    try:
        return resolve_dong(dongs, typed).id
    except UnknownDong as e:
        raise _fail(f"--dong: {e}", 2) from None


def ask_command(
    question: Annotated[
        str | None, typer.Argument(help="The question, as a resident would write it.")
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Answer in ko or en (default: as asked).")
    ] = None,
    now: Annotated[
        str | None,
        typer.Option("--now", help="ISO datetime to answer as of (default: the bot's clock)."),
    ] = None,
    kb_path: Annotated[
        Path | None,
        typer.Option("--kb", help="Answer from this KB file alone, without the database."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print {kind, id, facet, text, alternatives, …}.")
    ] = False,
    batch: Annotated[
        str | None,
        typer.Option("--batch", help="Answer each line of FILE ('-': stdin), one JSON per line."),
    ] = None,
    dong: Annotated[
        str | None,
        typer.Option("--dong", help="Ask as a resident of this dong (its id; /mydong's)."),
    ] = None,
) -> None:
    """Answer a question from the knowledge base, as the bot would."""
    from bot.core.cli import _settings

    if (question is None) == (batch is None):
        raise _fail("give either a QUESTION or --batch FILE", 2)
    if lang is not None and lang not in SUPPORTED_LANGUAGES:
        raise _fail(f"--lang: expected one of {', '.join(SUPPORTED_LANGUAGES)}", 2)
    settings = _settings()
    when = _now(settings, now)
    engine = _load_engine(settings, kb_path)
    if dong is not None:
        dong = _kb_dong(engine, dong)
    live = kb_path is None
    if batch is not None:
        for line in _lines(batch):
            result = answer_one(engine, line, when, lang, settings, live=live, dong=dong)
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return
    assert question is not None
    result = answer_one(engine, question, when, lang, settings, live=live, dong=dong)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(result["text"] + "\n")


def unanswered_command(
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many to list.")] = 50,
) -> None:
    """List the questions the bot could not answer, most frequent first; a follow-up
    ("그럼 언제까지요?") with the record it was asked after, named as the KB has it."""
    from bot.core.cli import _settings, _with_db
    from bot.kb.edits import followed_name
    from bot.qa.service import list_unanswered

    settings = _settings()

    async def work(runtime: Any) -> list[tuple[UnansweredGroup, str]]:
        async with runtime.sessionmaker() as session:
            groups = await list_unanswered(session, limit)
        kb = await runtime.knowledge.get() if any(g.followed for g in groups) else None
        out = []
        for group in groups:
            after = "-"
            if (record := group.record) is not None:
                name = followed_name(kb, group.followed, settings.default_language)
                kind, id_ = record
                after = f"{kind} {id_}: {name}" if name is not None else (
                    f"{kind} {id_} (no longer in the knowledge base)")  # fmt: skip
            out.append((group, after))
        return out

    groups = _with_db(settings, work)
    if not groups:
        typer.echo("no unanswered questions")
        return
    typer.echo("count\tlast asked\tlanguages\tquestion\tasked after")
    for group, after in groups:
        languages = ",".join(group.languages) or "-"
        last = f"{group.last_asked:%Y-%m-%d}"  # the day only (models/qa.py)
        typer.echo(f"{group.count}\t{last}\t{languages}\t{group.example}\t{after}")
