"""Helpers the end-to-end tests share: a bot through the Bot API emulator that must end
without Bot API errors, restarting it, granting the staff role, a proposal's draft, a staff
training to register for, an event's card opened, a button of /staffevents, an accepted
proposal for a ballot, voting codes issued and an online vote cast with one, a command's
steps (a proposal and an event drafted, a kind's reminders turned off), picking the last
screen or the alert out of a press's events, and forged presses refused with an alert."""

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


async def issue_vote_codes(bot: Any, key: Any, count: int) -> list[str]:
    """``count`` new voting codes of the assembly vote ``key`` (its id or assembly id)."""
    from bot import assembly as A
    from bot.assembly.crypto import keyring_for

    now = bot.runtime.clock.now()
    async with bot.runtime.sessionmaker() as s:
        vote = await A.get_vote(s, key, now)
        codes = await A.issue_codes(
            s, keyring_for(bot.runtime.settings), vote, count, actor="t", now=now
        )
        await s.commit()
    return codes


async def vote_online(bot: Any, key: Any, voter: Any, code: str, choices: str) -> None:
    """The user of the chat ``voter`` redeems ``code`` and casts ``choices`` (one letter an
    item) in the assembly vote ``key`` (its id or assembly id), through the domain API."""
    from bot import assembly as A
    from bot.assembly.crypto import keyring_for

    ring = keyring_for(bot.runtime.settings)
    async with bot.runtime.sessionmaker() as s:
        vote = await A.get_vote(s, key, bot.runtime.clock.now())
        user = await users.touch_user(s, voter.user, bot.runtime.clock.utcnow())
        await A.redeem_code(s, ring, user, code, bot.runtime.clock.now())
        nonce = await A.prepare_review(s, vote, user, choices, bot.runtime.clock.now())
        await A.cast(s, ring, vote, user, choices, nonce, bot.runtime.clock.now())
        await s.commit()


async def steps(
    chat: Any, command: str, labels: tuple[str, ...], typed: tuple[str, ...]
) -> list[Any]:
    """``command``, the buttons of ``labels`` pressed in turn, then each of ``typed`` sent in
    turn; returns the bot's reaction to the last step."""
    events = await chat.send(command)
    for label in labels:
        events = await chat.press(label)
    for text in typed:
        events = await chat.send(text)
    return events


async def draft_proposal(chat: Any, dong: str, theme: str, *typed: str) -> list[Any]:
    """``/propose``, the dong's and the theme's buttons, then each of ``typed`` sent in turn
    (the title, the description); returns the bot's reaction to the last step."""
    return await steps(chat, "/propose", (dong, theme), typed)


async def draft_event(staff: Any, kind: str, dong: str | None, *typed: str) -> list[Any]:
    """``/newevent``, the kind's and the dong's buttons (``dong`` None: staff of one dong,
    who are not asked), then each of ``typed`` sent in turn (the title, the start, the end,
    the place, the capacity); returns the bot's reaction to the last step (with all five,
    the preview to publish)."""
    return await steps(staff, "/newevent", (kind,) if dong is None else (kind, dong), typed)


async def reminders_off(chat: Any, kind: str) -> list[Any]:
    """``/reminders`` in English, the button of ``kind`` (the start of its label), then
    "No reminders"; returns the bot's reaction to that."""
    return await steps(chat, "/reminders", (kind, "No reminders"), ())


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


async def open_card(chat: Any, day: str, event_id: str) -> list[Any]:
    """Open the card of ``event_id``'s occurrence on ``day`` (``YYYYMMDD``), as its button in
    /events would: pressed on the newest message with buttons in ``chat``."""
    message_id = chat.last_message_with_buttons()["message_id"]
    return await chat.press_data(message_id, f"events:occ:{event_id}@{day}")


async def staff_events(staff: Any, label: str) -> list[Any]:
    """``/staffevents``, then its button ``label`` (an event's title, a year's report);
    returns the bot's reaction to the press."""
    await staff.send("/staffevents")
    return await staff.press(label)


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
