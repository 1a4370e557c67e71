"""``maeul announce``: an operator sends a notice to subscribers, through the dispatcher.

``maeul announce --all | --dong D [--kind K] --text T [--yes]``:

* ``--all``: every chat subscribed to anything; with ``--kind K``, the chats subscribed
  to that kind (``trainings``, ``meetings``, ``assemblies``, ``grants``);
* ``--dong D`` (id or name, as everywhere in the CLI): the chats subscribed to that dong;
  with ``--kind K``, those of them that chose no kind or chose ``K`` — a chat's kinds
  narrow what it hears, as for news of new events (:mod:`bot.events.subscriptions`).

The text is what the operator typed: plain text (escaped when rendered), never HTML;
empty or blank text is refused, and so is text over ``MAX_TEXT_LENGTH``. The command
shows how many chats will receive it and asks before queueing (``--yes`` skips the
question, for scripts). Each chat gets one durable ``announce`` row (the same kind as the
staff's /announce): the dispatcher sends them within the bot's rate budget, retries
failures per row and sends each once even across a crash. People who blocked the bot are
left out. The command is recorded in the audit log (who, to whom, how many, the length
— not the text).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import audit
from bot.core.cli import _actor, _fail, _settings, _with_db
from bot.events import subscriptions as S

if TYPE_CHECKING:
    from bot.core.runtime import Runtime


@dataclass(frozen=True)
class Audience:
    """Who an operator's announcement reaches."""

    dong: str | None
    """The dong's id (``None``: ``--all``)."""
    kind: str | None
    label: dict[str, str] | None
    """The dong's name, shown in the message's header."""


async def audience(session: AsyncSession, who: Audience) -> list[S.Target]:
    """The chats ``who`` reaches, once each; inactive users left out."""
    rows, kinds, dongs = await S.kind_and_dong_choices(session)

    def wants(chat_id: int) -> bool:
        if who.dong is None:
            return who.kind is None or who.kind in kinds.get(chat_id, set())
        chat_kinds = kinds.get(chat_id)
        if who.dong not in dongs.get(chat_id, set()):
            return False
        return who.kind is None or not chat_kinds or who.kind in chat_kinds

    return await S._targets(session, [r for r in rows if wants(r.chat_id)])


async def queue(
    session: AsyncSession, who: Audience, text: str, now: datetime, announcement_id: str
) -> int:
    """One ``announce`` row per chat ``who`` reaches; returns how many."""
    if who.dong is not None:
        subject = ("dong", who.dong)
    elif who.kind is not None:
        subject = ("kind", who.kind)
    else:
        subject = ("all", "")
    targets = await audience(session, who)
    return await S.queue_announcement(
        session, targets, subject, text, who.label, now=now, announcement_id=announcement_id
    )


def announce_command(
    everyone: Annotated[
        bool, typer.Option("--all", help="Every subscribed chat (or every one of --kind).")
    ] = False,
    dong: Annotated[
        str | None, typer.Option("--dong", help="The subscribers of this dong (id or name).")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help=f"Only chats that want this kind: {', '.join(S.KIND_TOPICS)}."),
    ] = None,
    text: Annotated[str, typer.Option("--text", help="The notice, as plain text.")] = "",
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Send a notice to subscribers through the reminder dispatcher."""
    if everyone == (dong is not None):
        raise _fail("say who receives it: --all or --dong D (not both)", 2)
    if kind is not None and kind not in S.KIND_TOPICS:
        raise _fail(f"unknown kind {kind!r}; the kinds are: {', '.join(S.KIND_TOPICS)}", 2)
    text = text.strip()
    if not text:
        raise _fail("the text is empty: nothing was sent", 2)
    settings = _settings()
    if len(text) > settings.max_text_length:
        raise _fail(
            f"the text has {len(text)} characters; at most {settings.max_text_length} "
            "(MAX_TEXT_LENGTH): nothing was sent",
            2,
        )

    async def who_of(runtime: Runtime) -> tuple[Audience, int]:
        from bot.core.dongs import UnknownDong, list_dongs, resolve_dong

        async with runtime.sessionmaker() as session:
            label = None
            dong_id = None
            if dong is not None:
                try:
                    found = resolve_dong(await list_dongs(session), dong)
                except UnknownDong as exc:
                    raise _fail(str(exc), 2) from None
                dong_id, label = found.id, dict(found.name)
            who = Audience(dong_id, kind, label)
            return who, len(await audience(session, who))

    who, count = _with_db(settings, who_of)
    scope = "every subscribed chat" if who.dong is None else f"the subscribers of {who.dong}"
    if who.kind is not None:
        scope += f", kind {who.kind}"
    if count == 0:
        typer.echo(f"No chat would receive it ({scope}): nothing was sent.")
        return
    typer.echo(f"{count} chat(s) will receive it ({scope}):\n\n{text}\n")
    if not yes and not typer.confirm("Send it?", default=False):
        typer.echo("Nothing was sent.")
        raise typer.Exit(1)
    announcement_id = f"cli:{uuid.uuid4().hex[:12]}"

    async def send(runtime: Runtime) -> int:
        now = runtime.clock.now()
        async with runtime.sessionmaker() as session:
            queued = await queue(session, who, text, now, announcement_id)
            await audit.record(
                session,
                at=now,
                actor=_actor(),
                action="announce",
                target_type="dong" if who.dong else "all",
                target_id=who.dong or (who.kind or "all"),
                details={
                    "chats": queued,
                    "kind": who.kind,
                    "length": len(text),
                    "id": announcement_id,
                },
            )
            await session.commit()
        return queued

    queued = _with_db(settings, send)
    typer.echo(
        f"Queued for {queued} chat(s); the reminder dispatcher sends them within the rate "
        "limits (`maeul reminders status` shows progress)."
    )


__all__ = ["Audience", "announce_command", "audience", "queue"]
