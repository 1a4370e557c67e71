"""Bot API faults at each call of the residents' flows, end to end (both databases).

The flows: registering for an event and cancelling (the waitlisted person promoted and
told), /subscribe, /checkin and /mydata. At each Bot API call of a flow in turn —
the toast (``answerCallbackQuery``), the screen (``editMessageText``), the reply or the
notice (``sendMessage``), the files (``sendDocument``) — a 429 with ``retry_after``, a 500
or a connection the server drops before carrying the call out (:class:`DroppingEmulator`,
tests/test_qa_faults_e2e.py), once (the retry lands) or every time (the reply is lost).
Then what the person was eventually told is checked against what is stored, pressing
again (the stale button they still see) has no second effect, and a notice to someone
else (the promoted person) arrives exactly once.

The staff's and the committee's flows are in tests/test_faults_staff_flows_e2e.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.events import registrations as R
from models import Reminder
from models.events import Registration
from tests import e2e
from tests.conftest import SEOUL
from tests.e2e import TOKEN, button_data, buttons, running_bot, sent_documents
from tests.staff_helpers import add_class
from tests.test_qa_faults_e2e import (  # the retries made quick, connections dropped
    FAULTS,
    quick_retries_and_drops,  # noqa: F401 (autouse)
)

pytestmark = pytest.mark.e2e

SMALL = datetime(2027, 1, 12, 19, 0, tzinfo=SEOUL)  # one seat
SMALL_TOKEN = R.occ_token("small-class", SMALL)
SMALL_CARD = "events:occ:small-class@20270112"
ONCE = ["429", "500", "dropped"]


@pytest.fixture
async def bot(runtime):  # Bot API errors on purpose: not clean_bot
    runtime.settings = quick_backoff(runtime.settings)
    async with running_bot(runtime) as under_test:
        await add_class(
            runtime, "small-class", ("작은 교실", "Small class"), SMALL, capacity=1, survey=True
        )
        yield under_test
        assert under_test.errors == []  # no handler raised, whatever Telegram did
        emu = under_test.emu
        assert not any(emu._bot(TOKEN).failures.values()), "a fault was never met"
        assert not any(emu.drops.values()), "a drop was never met"


def quick_backoff(settings):
    """The reminder dispatcher's back-off after a 5xx a tenth as long (0.1 s, 0.2 s, 0.4 s …
    instead of 1 s, 2 s, 4 s …: the same attempts in the same order), as the bot's own
    retries are (``quick_retries_and_drops``): a row moved back waits for it in real time."""
    return settings.model_copy(update={"dispatch_backoff_seconds": 0.1})


def fired(bot) -> int:
    """How many injected faults the bot has met so far."""
    return len(bot.emu.api_errors(TOKEN)) + len(bot.emu.dropped)


def inject(bot, fault: str, method: str, times: int = 1) -> None:
    FAULTS[fault](bot.emu, method, times)


def shown(events) -> str:
    """Everything the person could read: messages, edits and toasts."""
    return "\n".join(e.text or "" for e in events if e.kind in e2e.VISIBLE)


def toasts(events) -> list[str]:
    return [e.text or "" for e in events if e.kind == "callback_answer"]


def screens(events) -> list[str]:
    """The texts of the messages sent and edited (not toasts)."""
    return [e.text or "" for e in events if e.kind in ("message", "edit")]


async def resident(bot, user_id: int, name: str = "Tom"):
    chat = bot.chat(user_id, name, "en")
    await chat.send("/start")
    return chat


async def open_small(chat):
    message_id = chat.last_message_with_buttons()["message_id"]
    return await chat.press_data(message_id, SMALL_CARD)


def pressed(chat, label: str) -> tuple[int, str]:
    """The message and data of the newest button labelled ``label`` — to press again later,
    as the person still sees it when the screen that replaced it never arrived."""
    message = chat.last_message_with_buttons()
    rows = message["reply_markup"]["inline_keyboard"]
    [data] = [b["callback_data"] for row in rows for b in row if label in b["text"]]
    return message["message_id"], data


def lose_every_reply(bot, fault: str) -> None:
    for method in ("answerCallbackQuery", "editMessageText", "sendMessage"):
        inject(bot, fault, method, 3)


async def press_losing_every_reply(bot, chat, label: str, fault: str) -> None:
    """Press ``label`` with every reply to it lost: all nine faults are met (three tries of
    each reply) and nothing reaches the person's screen."""
    lose_every_reply(bot, fault)
    events = await chat.press(label)
    assert fired(bot) == 9 and screens(events) == []


async def registered_small(bot, user_id: int, name: str = "Tom"):
    """A resident registered for the small class, on its card."""
    chat = await resident(bot, user_id, name)
    await open_small(chat)
    await chat.press("✅ Register")
    return chat


async def press_stale(chat, data: str):
    """Press ``data`` on the newest message with buttons — the stale button a person still
    sees when the screen that would have replaced it never arrived."""
    return await chat.press_data(chat.last_message_with_buttons()["message_id"], data)


async def statuses(bot) -> dict[int, str]:
    """Each registration's status by the person's Telegram id."""
    from models import User

    async with bot.runtime.sessionmaker() as s:
        rows = await s.execute(
            select(User.telegram_id, Registration.status).join(
                User, User.id == Registration.user_id
            )
        )
        return dict(rows.all())


async def event_reminders(bot, status: str = "pending") -> int:
    async with bot.runtime.sessionmaker() as s:
        return int(
            (
                await s.execute(
                    select(func.count())
                    .select_from(Reminder)
                    .where(Reminder.kind == "event", Reminder.status == status)
                )
            ).scalar_one()
        )


async def messages_to(bot, chat_id: int, needle: str) -> list[str]:
    return [
        m.get("text") or ""
        for m in bot.emu.messages(TOKEN, chat_id)
        if needle in (m.get("text") or "")
    ]


async def dispatch_until_quiet(bot, rounds: int = 8) -> None:
    """Let the reminder dispatcher work through what is due, moving the clock over its
    back-off (a row that met a 5xx is due again a second or two later)."""
    for _ in range(rounds):
        await bot.app.dispatcher.run_pass()
        bot.runtime.clock.advance(seconds=5)


# --- registering ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["answerCallbackQuery", "editMessageText"])
@pytest.mark.parametrize("fault", ONCE)
async def test_register_with_one_failing_call_is_told_once_and_kept_once(bot, fault, method):
    chat = await resident(bot, 8301)
    await open_small(chat)
    inject(bot, fault, method)
    events = await chat.press("✅ Register")
    assert fired(bot) == 1
    assert toasts(events) == ["You are registered. I will remind you before it starts."]
    [card] = screens(events)
    assert "✅ You are registered." in card
    assert await statuses(bot) == {8301: "registered"}
    assert await event_reminders(bot) == 2
    # the stale "Register" pressed again: nothing more
    events = await press_stale(chat, f"reg:in:{SMALL_TOKEN}")
    assert toasts(events) == ["You are already registered."]
    assert await statuses(bot) == {8301: "registered"}
    assert await event_reminders(bot) == 2


@pytest.mark.parametrize("fault", ["429", "500", "dropped"])
async def test_register_whose_every_reply_is_lost_is_kept_and_a_second_press_says_so(bot, fault):
    chat = await resident(bot, 8302)
    await open_small(chat)
    inject(bot, fault, "answerCallbackQuery", 3)
    inject(bot, fault, "editMessageText", 3)
    inject(bot, fault, "sendMessage", 3)  # the card sent instead of the edit
    events = await chat.press("✅ Register")
    assert fired(bot) == 9
    assert screens(events) == [] and toasts(events) == []  # nothing reached them …
    assert await statuses(bot) == {8302: "registered"}  # … but it is kept
    # the card they still see offers "Register": pressing it tells them the truth
    events = await press_stale(chat, f"reg:in:{SMALL_TOKEN}")
    assert toasts(events) == ["You are already registered."]
    assert "✅ You are registered." in screens(events)[-1]
    assert await event_reminders(bot) == 2


@pytest.mark.parametrize("fault", ONCE)
async def test_joining_the_waitlist_with_a_failing_toast_is_told_in_the_card(bot, fault):
    ann, ben = await resident(bot, 8311, "Ann"), await resident(bot, 8312, "Ben")
    await open_small(ann)
    await ann.press("✅ Register")
    await open_small(ben)
    inject(bot, fault, "answerCallbackQuery", 3)
    events = await ben.press("⏳ Join the waitlist")
    assert fired(bot) == 3
    assert "⏳ You are on the waitlist (number 1)." in screens(events)[-1]
    events = await press_stale(ben, f"reg:in:{SMALL_TOKEN}")
    assert "already on the waitlist (number 1)" in shown(events)
    assert await statuses(bot) == {8311: "registered", 8312: "waitlisted"}


# --- cancelling, and the waitlist's first promoted -----------------------------------------


async def full_with_waitlist(bot):
    """Ann holds the one seat; Ben, then Cleo wait for it."""
    ann = await resident(bot, 8321, "Ann")
    ben = await resident(bot, 8322, "Ben")
    cleo = await resident(bot, 8323, "Cleo")
    await open_small(ann)
    await ann.press("✅ Register")
    for chat in (ben, cleo):
        await open_small(chat)
        await chat.press("⏳ Join the waitlist")
    assert await statuses(bot) == {8321: "registered", 8322: "waitlisted", 8323: "waitlisted"}
    return ann, ben, cleo


SEAT = "A seat opened up: you are now registered."
PROMOTED = {8321: "cancelled", 8322: "registered", 8323: "waitlisted"}


async def cancelled_and_promoted_once(bot, ann, ben) -> None:
    """Ann's cancellation is stored, Ben got her seat and is told once, Cleo still waits;
    Ann's stale "Yes, cancel it" pressed again changes nothing and tells nobody more."""
    await dispatch_until_quiet(bot)
    assert await statuses(bot) == PROMOTED
    assert len(await messages_to(bot, ben.chat_id, SEAT)) == 1
    events = await press_stale(ann, f"reg:outy:{SMALL_TOKEN}")
    assert "You are not registered for this date." in shown(events)
    await dispatch_until_quiet(bot)
    assert await statuses(bot) == PROMOTED
    assert len(await messages_to(bot, ben.chat_id, SEAT)) == 1
    assert await messages_to(bot, 8323, SEAT) == []


@pytest.mark.parametrize("method", ["answerCallbackQuery", "editMessageText"])
@pytest.mark.parametrize("fault", ONCE)
async def test_cancel_with_one_failing_call_frees_the_seat_once(bot, fault, method):
    ann, ben, _ = await full_with_waitlist(bot)
    await ann.press("❌ Cancel my registration")
    inject(bot, fault, method)
    events = await ann.press("Yes, cancel it")
    assert fired(bot) == 1
    assert any(s.startswith("Cancelled: “Small class”") for s in screens(events)), shown(events)
    await cancelled_and_promoted_once(bot, ann, ben)


@pytest.mark.parametrize("fault", ONCE)
async def test_cancel_whose_every_reply_is_lost_still_frees_the_seat_once(bot, fault):
    ann, ben, _ = await full_with_waitlist(bot)
    await ann.press("❌ Cancel my registration")
    inject(bot, fault, "answerCallbackQuery", 3)
    inject(bot, fault, "editMessageText", 3)
    inject(bot, fault, "sendMessage", 3)  # shared with the notice to Ben: either may meet it
    events = await ann.press("Yes, cancel it")
    # nothing reached Ann, or only the truth did (once)
    assert [s for s in screens(events) if not s.startswith("Cancelled: “Small class”")] == []
    assert len(screens(events)) <= 1
    await cancelled_and_promoted_once(bot, ann, ben)
    assert fired(bot) == 9


@pytest.mark.parametrize("fault", ONCE)
async def test_the_confirmation_question_lost_then_asked_again(bot, fault):
    """The "Cancel your registration?" question never arrives: nothing is changed, and
    the card's button asks again."""
    ann, ben, _ = await full_with_waitlist(bot)
    inject(bot, fault, "editMessageText", 3)
    inject(bot, fault, "sendMessage", 3)
    events = await ann.press("❌ Cancel my registration")
    assert screens(events) == []
    assert await statuses(bot) == {8321: "registered", 8322: "waitlisted", 8323: "waitlisted"}
    events = await press_stale(ann, f"reg:out:{SMALL_TOKEN}")
    assert "Cancel your registration for “Small class”" in screens(events)[-1]
    await ann.press("Yes, cancel it")
    await cancelled_and_promoted_once(bot, ann, ben)


@pytest.mark.parametrize(("fault", "times"), [("429", 1), ("500", 1), ("500", 3), ("dropped", 2)])
async def test_the_promotion_notice_meets_faults_and_arrives_once(bot, fault, times):
    """The notice to the promoted person is a durable row: a 429, a 5xx or a dropped
    connection moves it, and it arrives exactly once."""
    ann, ben, _ = await full_with_waitlist(bot)
    await ann.press("❌ Cancel my registration")
    inject(bot, fault, "sendMessage", times)
    events = await ann.press("Yes, cancel it")
    assert any(s.startswith("Cancelled: “Small class”") for s in screens(events))
    await dispatch_until_quiet(bot)
    assert fired(bot) == times
    await cancelled_and_promoted_once(bot, ann, ben)


async def test_a_promotion_notice_that_never_arrives_is_recorded_as_failed(bot):
    ann, ben, _ = await full_with_waitlist(bot)
    await ann.press("❌ Cancel my registration")
    inject(bot, "500", "sendMessage", bot.runtime.settings.dispatch_max_attempts)
    await ann.press("Yes, cancel it")
    await dispatch_until_quiet(bot, rounds=12)
    assert await messages_to(bot, ben.chat_id, SEAT) == []
    async with bot.runtime.sessionmaker() as s:
        rows = (
            (await s.execute(select(Reminder).where(Reminder.chat_id == ben.chat_id)))
            .scalars()
            .all()
        )
    notices = [r for r in rows if r.kind != "event"]
    assert [r.status for r in notices] == ["failed"], [(r.kind, r.status) for r in rows]
    assert "Internal Server Error" in (notices[0].last_error or "")
    # Ben's seat is his all the same, and his card says so
    assert (await statuses(bot))[ben.chat_id] == "registered"
    events = await open_small(ben)
    assert "✅ You are registered." in screens(events)[-1]


# --- /subscribe ----------------------------------------------------------------------------

TRAININGS = "🎓 Trainings"


async def subscribed(bot, chat_id: int) -> set[tuple[str, str]]:
    from models import Subscription

    async with bot.runtime.sessionmaker() as s:
        rows = await s.execute(
            select(Subscription.topic, Subscription.value).where(Subscription.chat_id == chat_id)
        )
        return {(topic, value) for topic, value in rows.all()}


@pytest.mark.parametrize("method", ["answerCallbackQuery", "editMessageText"])
@pytest.mark.parametrize("fault", ONCE)
async def test_subscribing_with_one_failing_call_shows_what_is_stored(bot, fault, method):
    chat = await resident(bot, 8401)
    await chat.send("/subscribe")
    inject(bot, fault, method)
    events = await chat.press(TRAININGS)
    assert fired(bot) == 1
    assert toasts(events) == ["Subscribed."]
    [screen] = [e for e in events if e.kind in ("message", "edit")]
    assert f"✓ {TRAININGS}" in buttons(screen)
    assert await subscribed(bot, chat.chat_id) == {("kind", "trainings")}


@pytest.mark.parametrize("fault", ONCE)
async def test_a_subscription_whose_reply_is_lost_is_not_undone_by_the_stale_button(bot, fault):
    """Every reply to "🎓 Trainings" is lost: the person still sees the button without its
    ✓ and presses it again to subscribe — which must not unsubscribe them."""
    chat = await resident(bot, 8402)
    await chat.send("/subscribe")
    stale = chat.last_message_with_buttons()
    inject(bot, fault, "answerCallbackQuery", 3)
    inject(bot, fault, "editMessageText", 3)
    inject(bot, fault, "sendMessage", 3)
    events = await chat.press(TRAININGS)
    assert fired(bot) == 9 and screens(events) == [] and toasts(events) == []
    assert await subscribed(bot, chat.chat_id) == {("kind", "trainings")}
    data = button_data(stale, TRAININGS)
    events = await chat.press_data(stale["message_id"], data)  # the same button, again
    assert await subscribed(bot, chat.chat_id) == {("kind", "trainings")}
    assert toasts(events) == ["Subscribed."]
    assert f"✓ {TRAININGS}" in buttons([e for e in events if e.kind == "edit"][-1])
    # and the ✓ button turns it off, once
    events = await chat.press(f"✓ {TRAININGS}")
    assert toasts(events) == ["Unsubscribed."]
    assert await subscribed(bot, chat.chat_id) == set()


# --- /checkin ------------------------------------------------------------------------------


async def small_class_code(bot) -> str:
    from bot.events import attendance

    async with bot.runtime.sessionmaker() as s, s.begin():
        return await attendance.checkin_code(s, "small-class", SMALL, bot.runtime.clock.now())


async def attended(bot, telegram_id: int) -> tuple[str, bool] | None:
    from models import User

    async with bot.runtime.sessionmaker() as s:
        row = (
            await s.execute(
                select(Registration.status, Registration.attended)
                .join(User, User.id == Registration.user_id)
                .where(User.telegram_id == telegram_id)
            )
        ).one_or_none()
        return None if row is None else (row[0], bool(row[1]))


WELCOME = "✅ Checked in: “Small class”. Welcome!"
ALREADY = "You are already checked in for “Small class”."


@pytest.mark.parametrize(("fault", "times"), [(f, 1) for f in ONCE] + [("500", 3), ("dropped", 3)])
async def test_checkin_with_a_failing_reply_is_recorded_once_and_told_truly(bot, fault, times):
    code = await small_class_code(bot)
    bot.runtime.clock.set(SMALL - timedelta(minutes=10))
    chat = await resident(bot, 8501)
    inject(bot, fault, "sendMessage", times)
    events = await chat.send(f"/checkin {code}")
    assert fired(bot) == times
    assert screens(events) == ([WELCOME] if times == 1 else [])
    assert await attended(bot, 8501) == ("walkin", True)
    # typed again (the answer never came, or to be sure): said so, recorded once
    events = await chat.send(f"/checkin {code}")
    assert screens(events) == [ALREADY]
    assert await attended(bot, 8501) == ("walkin", True)


@pytest.mark.parametrize("fault", ONCE)
async def test_checkin_by_the_typed_code_after_a_failing_prompt(bot, fault):
    code = await small_class_code(bot)
    bot.runtime.clock.set(SMALL - timedelta(minutes=10))
    chat = await registered_small(bot, 8502)
    inject(bot, fault, "sendMessage", 1)
    events = await chat.send("/checkin")
    assert "Type the code shown at the event" in screens(events)[0]
    events = await chat.send(code.lower())
    assert screens(events) == [WELCOME]
    assert await attended(bot, 8502) == ("registered", True)


# --- /mydata -------------------------------------------------------------------------------


def documents(bot, events) -> list[str]:
    return [d["file_name"] for d in sent_documents(events)]


@pytest.mark.parametrize("fault", ONCE)
@pytest.mark.parametrize("which", [0, 1])  # the readable file, the JSON
async def test_mydata_whose_document_meets_a_fault_still_comes_once(bot, fault, which):
    import json

    chat = await registered_small(bot, 8601)
    since = bot.emu.last_seq(TOKEN)
    if which == 0:
        inject(bot, fault, "sendDocument")
    else:
        # a fault for the second call only: let the first pass by counting calls
        real = bot.app.bot._post_within_budget
        calls: list[str] = []

        async def post(endpoint, data, **kwargs):
            calls.append(endpoint)
            if endpoint == "sendDocument" and calls.count(endpoint) == 2:
                inject(bot, fault, "sendDocument")
            return await real(endpoint, data, **kwargs)

        bot.app.bot._post_within_budget = post  # type: ignore[method-assign]
    await chat.send("/mydata")
    events = bot.emu.events(TOKEN, chat_id=chat.chat_id, since=since)
    assert fired(bot) == 1
    names = documents(bot, events)
    assert len(names) == 2 and len(set(names)) == 2, names
    [machine] = [
        e.message["document"]
        for e in events
        if e.kind == "message"
        and e.message.get("document", {}).get("file_name", "").endswith(".json")
    ]
    data = json.loads(bot.emu.file_bytes(TOKEN, machine["file_id"]))
    assert "Small class" in json.dumps(data, ensure_ascii=False) or "small-class" in json.dumps(
        data
    )


@pytest.mark.parametrize("fault", ["500", "dropped"])
async def test_keep_pressed_after_a_cancellation_whose_reply_was_lost_does_not_say_kept(bot, fault):
    """Every reply to "Yes, cancel it" is lost: the question is still on the screen, and
    its "No, keep it" pressed now must not say the registration was kept."""
    ann = await registered_small(bot, 8331, "Ann")
    await ann.press("❌ Cancel my registration")
    no = pressed(ann, "No, keep it")
    await press_losing_every_reply(bot, ann, "Yes, cancel it", fault)
    assert await statuses(bot) == {8331: "cancelled"}
    events = await ann.press_data(*no)
    assert "Kept" not in shown(events), shown(events)
    assert "You are not registered for this date." in toasts(events)
    assert await statuses(bot) == {8331: "cancelled"}


async def test_keep_pressed_while_registered_still_keeps_it(bot):
    ann = await registered_small(bot, 8332, "Ann")
    await ann.press("❌ Cancel my registration")
    events = await ann.press("No, keep it")
    assert screens(events) == ["Kept. Nothing was changed."]
    assert await statuses(bot) == {8332: "registered"}
    # the button of a question shown before this change (no date in it) still answers
    events = await press_stale(ann, "reg:keep")
    assert "Kept. Nothing was changed." in shown(events)


# --- /forget: its "No" after a "Yes" whose reply was lost ------------------------------------


@pytest.mark.parametrize("fault", ["500", "dropped"])
async def test_no_pressed_after_a_forget_whose_reply_was_lost_does_not_say_nothing_was_deleted(
    bot, fault
):
    """(On SQLite the account made anew by the press gets the deleted account's id, and
    its creation hour: the stamp told them apart by those only, until users.account_key.)"""
    chat = await registered_small(bot, 8701)
    await chat.send("/forget")
    no = pressed(chat, "No, keep it")
    lose_every_reply(bot, fault)
    events = await chat.press("Yes, delete my data")
    assert fired(bot) >= 9 and screens(events) == []
    assert await statuses(bot) == {}  # deleted …
    bot.runtime.clock.advance(seconds=20)  # (they look again a little later)
    events = await chat.press_data(*no)
    assert "nothing was deleted" not in shown(events)  # … and not said otherwise
    assert "everything I stored about you is deleted" in shown(events), shown(events)


async def test_no_pressed_before_forgetting_deletes_nothing(bot):
    chat = await registered_small(bot, 8702)
    await chat.send("/forget")
    events = await chat.press("No, keep it")
    assert screens(events) == ["OK, nothing was deleted."]
    assert await statuses(bot) == {8702: "registered"}
    events = await press_stale(chat, "forget:no")  # an older question's button
    assert "OK, nothing was deleted." in shown(events)
