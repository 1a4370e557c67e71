"""Helpers the end-to-end tests share: a bot through the Bot API emulator that must end
without Bot API errors, restarting it, granting the staff role, a proposal's draft, a staff
training to register for, an accepted proposal for a ballot, a proposal drafted step by step, picking the last screen or the
alert out of a press's events, and forged presses refused with an alert."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.core import users
from tests.e2e import TOKEN, running_bot, texts


@asynccontextmanager
async def clean_bot(
    runtime: Any, *, ballot_secret: bool = False, polling_errors: bool = True
) -> AsyncIterator[Any]:
    """The bot under test; afterwards no Bot API call may have failed and no handler may
    have raised. ``ballot_secret`` gives it a fresh secret-ballot key (assembly votes);
    ``polling_errors=False`` lets failed ``getUpdates`` calls pass (a restart)."""
    async with running_bot(runtime, ballot_secret=ballot_secret) as under_test:
        yield under_test
        errors = under_test.emu.api_errors(TOKEN)
        if not polling_errors:
            errors = [e for e in errors if e.method != "getUpdates"]
        assert errors == []
        assert not under_test.errors


async def make_staff(bot: Any, telegram_id: int, dong: str) -> None:
    """Make ``telegram_id`` staff of ``dong``."""
    async with bot.runtime.sessionmaker() as s:
        await users.grant_role(
            s, telegram_id, "staff", dong_id=dong, actor="t", now=bot.runtime.clock.utcnow()
        )
        await s.commit()


def latest(events: list[Any]) -> Any:
    """The last message sent or edited among ``events``."""
    return [e for e in events if e.kind in ("message", "edit")][-1]


def first_answer(events: list[Any]) -> Any:
    """The first answer to a button press among ``events``."""
    return next(e for e in events if e.kind == "callback_answer")


async def forged_presses_alert(chat: Any, message_id: int, forged: Any, said: str) -> None:
    """Each callback data of ``forged``, pressed (forged) on message ``message_id``, is
    answered first with the alert ``said``."""
    for data in forged:
        answer = first_answer(await chat.press_data(message_id, data))
        assert answer.params.get("show_alert"), data
        assert answer.text == said, data


def alert(events: list[Any]) -> str:
    """The text of the last alert (an answer with ``show_alert``) among ``events``."""
    answers = [e for e in events if e.kind == "callback_answer" and e.params.get("show_alert")]
    assert answers, texts(events)
    return answers[-1].text or ""


async def add_accepted_proposal(bot: Any, author: Any) -> None:
    """An accepted proposal of 한빛1동, "경로당 텃밭", by the user of the chat ``author``: what
    the assembly tests put on a ballot."""
    proposals = pytest.importorskip("models.proposal")
    async with bot.runtime.sessionmaker() as s:
        user = await users.touch_user(s, author.user, bot.runtime.clock.utcnow())
        now = bot.runtime.clock.utcnow()
        s.add(
            proposals.Proposal(
                dong_id="hanbit1", category_id="care", author_id=user.id, title="경로당 텃밭",
                description="텃밭을 만듭니다", status="accepted", created_at=now, updated_at=now,
            )
        )  # fmt: skip
        await s.commit()


async def draft_proposal(chat: Any, dong: str, theme: str, *typed: str) -> list[Any]:
    """``/propose``, the dong's and the theme's buttons, then each of ``typed`` sent in turn
    (the title, the description); returns the bot's reaction to the last step."""
    await chat.send("/propose")
    await chat.press(dong)
    events = await chat.press(theme)
    for text in typed:
        events = await chat.send(text)
    return events


async def propose_a_gallery(resident: Any) -> list[Any]:
    """``/start``, then ``/propose`` of "A small gallery in the community centre" (Garam-dong,
    culture and arts) step by step, each question checked, up to the preview without a
    photo; returns the bot's reaction to "Skip" (the preview). ``resident`` sends text and
    presses buttons by their label."""
    await resident.send("/start")
    events = await resident.send("/propose")
    assert "Which dong" in latest(events).text
    await resident.press("Garam-dong")
    events = await resident.press("Culture and arts")
    assert "title" in latest(events).text
    events = await resident.send("A small gallery in the community centre")
    assert "Describe your proposal" in latest(events).text
    events = await resident.send(
        "The ground floor room is empty on weekends; local painters could show their work."
    )
    assert "send it now" in latest(events).text
    return await resident.press("Skip")


async def add_class(
    runtime: Any,
    event_id: str,
    title: tuple[str, str] | str,
    starts_at: Any,
    *,
    with_kb: bool = False,
    **fields: Any,
) -> None:
    """A two-hour staff training in the meeting room (title in Korean and English, or in
    Korean only), as the registration, attendance and privacy tests set one up; ``fields`` add
    or replace
    :class:`~bot.events.registrations.NewEvent` fields (capacity, survey, rrule, dong …).
    ``with_kb`` imports the demo KB in the same transaction first."""
    from datetime import timedelta

    from bot.events import registrations as R
    from bot.kb import records as kb

    values: dict[str, Any] = {
        "id": event_id,
        "kind": "training",
        "title": {"ko": title} if isinstance(title, str) else {"ko": title[0], "en": title[1]},
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "place": {"ko": "회의실", "en": "Meeting room"},
        **fields,
    }
    async with runtime.sessionmaker() as s, s.begin():
        if with_kb:
            parsed, problems = kb.validate(kb.load_file(kb.demo_kb_path()))
            assert parsed is not None, problems
            await kb.import_kb(s, parsed, runtime.clock.utcnow())
        await R.create_event(
            s, R.NewEvent(**values), actor="test", now=runtime.clock.now(), tz=starts_at.tzinfo
        )
    runtime.knowledge.invalidate()


async def restart(bot: Any) -> None:
    """Stop the application and start a new one on the same database (a bot restart); the
    new one is tracked and stopped like the first (``running_bot`` stops ``bot.app``)."""
    from bot.app import build_application
    from bot.runner import start_polling, stop_polling
    from tests.e2e import track_settled

    await stop_polling(bot.app)
    app = build_application(bot.runtime)

    async def record(update: Any, context: Any) -> None:
        bot.errors.append(context.error)

    app.add_error_handler(record)
    track_settled(bot.emu, app)
    await start_polling(app)
    bot.app = app
