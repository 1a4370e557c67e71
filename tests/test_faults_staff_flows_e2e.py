"""Bot API faults at each call of the staff's and the committee's flows, end to end
(both databases): /propose's submission (staff told), a committee decision (the proposer
told), cancelling and moving an event (its registrants told), marking attendance by hand
and casting a vote (the receipt).

As in tests/test_faults_flows_e2e.py: at each call in turn a 429 with ``retry_after``, a
500 or a dropped connection, once or every time; then what each person was told is
checked against what is stored, the stale button pressed again has no second effect,
and every notice to someone else arrives exactly once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from models import User
from models.events import Registration
from tests.conftest import SEOUL
from tests.e2e import TOKEN, button_data, buttons, running_bot
from tests.staff_helpers import add_class, make_staff
from tests.test_faults_flows_e2e import (
    ONCE,
    dispatch_until_quiet,
    fired,
    inject,
    press_losing_every_reply,
    press_stale,
    pressed,
    quick_backoff,
    quick_retries_and_drops,  # noqa: F401 (autouse)
    resident,
    screens,
    shown,
    toasts,
)

pytestmark = pytest.mark.e2e

STAFF = 6301  # staff of Saeteo-dong
PROPOSER = 6302
COURSE = datetime(2027, 1, 19, 19, 0, tzinfo=SEOUL)


@pytest.fixture
async def bot(runtime):  # Bot API errors on purpose: not clean_bot
    runtime.settings = quick_backoff(runtime.settings)
    async with running_bot(runtime, ballot_secret=True) as under_test:
        await add_class(
            runtime, "garden-course", ("텃밭 교실", "Garden course"), COURSE,
            capacity=5, dong="saeteo",
        )  # fmt: skip
        yield under_test
        assert under_test.errors == []
        emu = under_test.emu
        assert not any(emu._bot(TOKEN).failures.values()), "a fault was never met"
        assert not any(emu.drops.values()), "a drop was never met"


async def staff_member(bot):
    chat = bot.chat(STAFF, "Jisoo", "en")
    await chat.send("/start")
    await make_staff(bot, STAFF, "saeteo")
    return chat


async def registered(bot, user_id: int, name: str):
    chat = await resident(bot, user_id, name)
    message_id = chat.last_message_with_buttons()["message_id"]
    await chat.press_data(message_id, "events:occ:garden-course@20270119")
    await chat.press("✅ Register")
    return chat


# --- marking attendance by hand -------------------------------------------------------------


async def attended(bot, user_id: int) -> bool:
    async with bot.runtime.sessionmaker() as s:
        return bool(
            (
                await s.execute(
                    select(Registration.attended)
                    .join(User, User.id == Registration.user_id)
                    .where(User.telegram_id == user_id)
                )
            ).scalar_one()
        )


async def attendance_screen(bot):
    staff = await staff_member(bot)
    await registered(bot, 6311, "Eun")
    bot.runtime.clock.set(COURSE - timedelta(minutes=10))
    await bot.app.dispatcher.run_pass()  # Eun's reminder: sent now, not amid the faults
    message_id = staff.last_message_with_buttons()["message_id"]
    await staff.press_data(message_id, "events:occ:garden-course@20270119")
    events = await staff.press("👥 Attendance")
    assert "⬜ Eun" in buttons([e for e in events if e.kind in ("edit", "message")][-1])
    return staff


@pytest.mark.parametrize("fault", ONCE)
async def test_a_mark_whose_reply_is_lost_is_not_undone_by_the_stale_button(bot, fault):
    """Every reply to "⬜ Eun" is lost: the staff member still sees ⬜ and presses it again
    to mark Eun present — which must not mark Eun absent."""
    staff = await attendance_screen(bot)
    stale = staff.last_message_with_buttons()
    data = button_data(stale, "⬜ Eun")
    await press_losing_every_reply(bot, staff, "⬜ Eun", fault)
    assert await attended(bot, 6311)
    events = await staff.press_data(stale["message_id"], data)  # the same button, again
    assert await attended(bot, 6311)
    assert "✅ Eun" in buttons([e for e in events if e.kind == "edit"][-1])
    # and the ✅ button marks Eun absent, once
    await staff.press("✅ Eun")
    assert not await attended(bot, 6311)


@pytest.mark.parametrize("method", ["answerCallbackQuery", "editMessageText"])
@pytest.mark.parametrize("fault", ONCE)
async def test_a_mark_with_one_failing_call_shows_what_is_stored(bot, fault, method):
    staff = await attendance_screen(bot)
    inject(bot, fault, method)
    events = await staff.press("⬜ Eun")
    assert fired(bot) == 1
    assert "✅ Eun" in buttons([e for e in events if e.kind == "edit"][-1])
    assert await attended(bot, 6311)


# --- cancelling and moving an event: its registrants told once -------------------------------


async def notices(bot, chat_id: int, needle: str, since: int = 0) -> list[str]:
    return [
        e.text or ""
        for e in bot.emu.events(TOKEN, chat_id=chat_id, since=since, kinds={"message"})
        if needle in (e.text or "")
    ]


async def course_screen(bot):
    """The staff member on the course's screen; two residents registered for it."""
    staff = await staff_member(bot)
    ann = await registered(bot, 6321, "Ann")
    ben = await registered(bot, 6322, "Ben")
    await staff.send("/staffevents")
    await staff.press("Garden course")
    return staff, ann, ben


async def event_state(bot) -> tuple[bool, list[str]]:
    """Whether the course is cancelled, and the audit log's cancellations of it."""
    from models import Event
    from models.audit import AuditLog

    async with bot.runtime.sessionmaker() as s:
        row = await s.get(Event, "garden-course", populate_existing=True)
        audited = await s.execute(select(AuditLog.action).where(AuditLog.action == "event.cancel"))
        return bool(row.cancelled), list(audited.scalars())


async def cancelled_and_told_once(bot, staff, ann, ben, since: int, stale) -> None:
    """The course is cancelled (one change), Ann and Ben are told once each; the stale
    "Yes, cancel it" pressed again is refused and tells nobody more."""
    await dispatch_until_quiet(bot)
    cancelled, changes = await event_state(bot)
    assert cancelled and len(changes) == 1, changes
    for chat in (ann, ben):
        assert len(await notices(bot, chat.chat_id, "Garden course", since)) == 1
    events = await staff.press_data(*stale)
    assert "Cancelled." not in screens(events)
    await dispatch_until_quiet(bot)
    assert len((await event_state(bot))[1]) == 1
    for chat in (ann, ben):
        assert len(await notices(bot, chat.chat_id, "Garden course", since)) == 1


@pytest.mark.parametrize("method", ["answerCallbackQuery", "editMessageText"])
@pytest.mark.parametrize("fault", ONCE)
async def test_cancelling_an_event_with_one_failing_call(bot, fault, method):
    staff, ann, ben = await course_screen(bot)
    await staff.press("❌ Cancel")
    since = bot.emu.last_seq(TOKEN)
    stale = pressed(staff, "Yes, cancel it")
    inject(bot, fault, method)
    events = await staff.press("Yes, cancel it")
    assert fired(bot) == 1
    assert any(s.startswith("Cancelled.") for s in screens(events)), shown(events)
    await cancelled_and_told_once(bot, staff, ann, ben, since, stale)


@pytest.mark.parametrize("fault", ONCE)
async def test_cancelling_an_event_whose_every_reply_is_lost(bot, fault):
    """The staff member hears nothing (the notices may meet some of the faults too: then
    the reply gets through); the registrants are told once, and pressing again does not
    cancel twice."""
    staff, ann, ben = await course_screen(bot)
    await staff.press("❌ Cancel")
    since = bot.emu.last_seq(TOKEN)
    stale = pressed(staff, "Yes, cancel it")
    for method in ("answerCallbackQuery", "editMessageText"):
        inject(bot, fault, method, 3)
    events = await staff.press("Yes, cancel it")
    assert fired(bot) == 6
    assert [s for s in screens(events) if not s.startswith("Cancelled.")] == []
    await cancelled_and_told_once(bot, staff, ann, ben, since, stale)


@pytest.mark.parametrize(("fault", "times"), [("429", 1), ("500", 2), ("dropped", 1)])
async def test_the_cancellation_notices_meet_faults_and_arrive_once(bot, fault, times):
    staff, ann, ben = await course_screen(bot)
    await staff.press("❌ Cancel")
    since = bot.emu.last_seq(TOKEN)
    stale = pressed(staff, "Yes, cancel it")
    inject(bot, fault, "sendMessage", times)
    await staff.press("Yes, cancel it")
    await dispatch_until_quiet(bot)
    assert fired(bot) == times
    await cancelled_and_told_once(bot, staff, ann, ben, since, stale)


MOVED = "This event has moved."


@pytest.mark.parametrize(
    "method", ["answerCallbackQuery", "editMessageReplyMarkup", "sendMessage", "*"]
)
@pytest.mark.parametrize("fault", ONCE)
async def test_moving_an_event_with_failing_calls_tells_each_registrant_once(bot, fault, method):
    """The "✅ Move" press: its toast, the keyboard taken off the confirmation, "Moved to …"
    as a new message; then the notices (sendMessage too: a fault there may be met by
    either, and both are retried)."""
    staff, ann, ben = await course_screen(bot)
    await staff.press("🕒 Move")
    events = await staff.send("2027-01-21 19:00")
    assert "✅ Move" in buttons([e for e in events if e.kind in ("message", "edit")][-1]), shown(
        events
    )
    since = bot.emu.last_seq(TOKEN)
    stale = pressed(staff, "✅ Move")
    if method == "*":
        for each in ("answerCallbackQuery", "editMessageReplyMarkup", "sendMessage"):
            inject(bot, fault, each, 3)
    else:
        inject(bot, fault, method)
    events = await staff.press("✅ Move")
    said = [s for s in screens(events) if "\nFrom: " not in s]  # (the keyboard dropped)
    assert said in (
        [],
        ["Moved to Thu 21 Jan 2027, 7:00 PM – 9:00 PM. 2 registered people will be told."],
    ), said
    if method != "*":
        assert said, shown(events)
    await dispatch_until_quiet(bot)
    assert fired(bot) == (9 if method == "*" else 1)
    for chat in (ann, ben):
        assert len(await notices(bot, chat.chat_id, MOVED, since)) == 1
    async with bot.runtime.sessionmaker() as s:
        starts = set(
            (await s.execute(select(Registration.starts_at).where(Registration.status != "x")))
            .scalars()
            .all()
        )
    assert {when.astimezone(SEOUL) for when in starts} == {COURSE + timedelta(days=2)}
    # the confirmation pressed again: no second move, nobody told twice
    await staff.press_data(*stale)
    await dispatch_until_quiet(bot)
    for chat in (ann, ben):
        assert len(await notices(bot, chat.chat_id, MOVED, since)) == 1


# --- /propose: the submission, and the staff told once ------------------------------------------

NEW_PROPOSAL = "New proposal #"


async def proposal_rows(bot) -> list[tuple[int, str, int]]:
    """Each proposal's id, status and history entries."""
    from models import Proposal, ProposalHistory

    async with bot.runtime.sessionmaker() as s:
        proposals = (await s.execute(select(Proposal).order_by(Proposal.id))).scalars().all()
        found = []
        for p in proposals:
            history = await s.execute(
                select(ProposalHistory.id).where(ProposalHistory.proposal_id == p.id)
            )
            found.append((p.id, p.status, len(history.all())))
        return found


@pytest.mark.parametrize(
    "method", ["answerCallbackQuery", "editMessageReplyMarkup", "sendMessage", "*"]
)
@pytest.mark.parametrize("fault", ONCE)
async def test_a_submission_meeting_faults_is_one_proposal_and_one_staff_notice(bot, fault, method):
    from tests.test_trust_after_commit import ready_to_submit, submit

    staff = await staff_member(bot)
    await make_staff(bot, STAFF, "garam")  # the proposal's dong
    chat = await ready_to_submit(bot, PROPOSER)
    stale = chat.last_message_with_buttons()
    [ok] = [
        b["callback_data"]
        for row in stale["reply_markup"]["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("prop:ok:")
    ]
    since = bot.emu.last_seq(TOKEN)
    if method == "*":
        for each in ("answerCallbackQuery", "editMessageReplyMarkup", "sendMessage"):
            inject(bot, fault, each, 3)
    else:
        inject(bot, fault, method)
    events = await submit(chat)
    await dispatch_until_quiet(bot)
    assert fired(bot) == (9 if method == "*" else 1)
    [(number, status, history)] = await proposal_rows(bot)
    assert (status, history) == ("submitted", 1)
    told = [s for s in screens(events) if f"#{number}" in s]
    if method != "*":
        assert told, shown(events)
    assert len(await notices(bot, staff.chat_id, NEW_PROPOSAL, since)) == 1
    # the preview's "Submit" pressed again: still one proposal, the staff told once
    await chat.press_data(stale["message_id"], ok)
    await dispatch_until_quiet(bot)
    assert [(n, st) for n, st, _ in await proposal_rows(bot)] == [(number, "submitted")]
    assert len(await notices(bot, staff.chat_id, NEW_PROPOSAL, since)) == 1


# --- the committee's decision: the proposer told once --------------------------------------------


async def benches_proposal(bot):
    """Minji, the proposer, and her submitted proposal "Benches along the stream": her chat
    and its number."""
    from tests.test_proposals_e2e import seed_proposal

    chat = await resident(bot, PROPOSER, "Minji")
    number = await seed_proposal(
        bot, PROPOSER, title="Benches along the stream", description="Older people need rest."
    )
    return chat, number


async def proposal_under_review(bot):
    staff = await staff_member(bot)
    proposer, number = await benches_proposal(bot)
    await staff.send(f"/start review_{number}")
    return staff, proposer, number


@pytest.mark.parametrize("method", ["answerCallbackQuery", "sendMessage", "*"])
@pytest.mark.parametrize("fault", ONCE)
async def test_a_decision_meeting_faults_is_made_once_and_told_once(bot, fault, method):
    """The press is answered (the toast) and "Done: …" comes as a new message with the
    review card; the proposer's notice is a sendMessage too (a fault there may be met by
    either)."""
    staff, proposer, number = await proposal_under_review(bot)
    stale = pressed(staff, "🔎 Start review")
    since = bot.emu.last_seq(TOKEN)
    if method == "*":
        for each in ("answerCallbackQuery", "sendMessage"):
            inject(bot, fault, each, 3)
    else:
        inject(bot, fault, method)
    events = await staff.press("🔎 Start review")
    await dispatch_until_quiet(bot)
    assert fired(bot) == (6 if method == "*" else 1)
    done = f"Done: #{number} is now “Under review”."
    assert [s for s in screens(events) if "Done" in s and done not in s] == []
    if method != "*":
        assert any(done in s for s in screens(events)), shown(events)
    assert await proposal_rows(bot) == [(number, "under_review", 2)]
    assert len(await notices(bot, proposer.chat_id, f"#{number}", since)) == 1
    # "Start review" pressed again on the card the staff member still sees
    events = await staff.press_data(*stale)
    await dispatch_until_quiet(bot)
    assert done not in shown(events)
    assert await proposal_rows(bot) == [(number, "under_review", 2)]
    assert len(await notices(bot, proposer.chat_id, f"#{number}", since)) == 1


@pytest.mark.parametrize("fault", ONCE)
async def test_a_rejection_whose_reason_prompt_fails_once_is_made_once(bot, fault):
    staff, proposer, number = await proposal_under_review(bot)
    await staff.press("🔎 Start review")
    await dispatch_until_quiet(bot)
    since = bot.emu.last_seq(TOKEN)
    inject(bot, fault, "sendMessage")
    events = await staff.press("❌ Reject")
    assert "Type the reason" in shown(events)
    events = await staff.send("No budget this year.")
    assert f"Done: #{number} is now “Rejected”." in shown(events)
    await dispatch_until_quiet(bot)
    assert await proposal_rows(bot) == [(number, "rejected", 3)]
    [told] = await notices(bot, proposer.chat_id, f"#{number}", since)
    assert "No budget this year." in told


# --- casting a vote: the receipt -----------------------------------------------------------------


@pytest.mark.parametrize("method", ["answerCallbackQuery", "editMessageText"])
@pytest.mark.parametrize("fault", ["429", "dropped"])  # (502 and 500-like: test_trust_after_commit)
async def test_a_cast_meeting_a_fault_is_one_ballot_and_one_receipt(bot, fault, method):
    from tests.test_trust_after_commit import COUNTED, ballots, ready_to_cast

    chat = await ready_to_cast(bot, 6331)
    stale = pressed(chat, "Cast my vote")
    inject(bot, fault, method)
    events = await chat.press("Cast my vote")
    assert fired(bot) == 1
    receipts = [s for s in screens(events) if COUNTED in s]
    assert len(receipts) == 1, shown(events)
    assert await ballots(bot) == 1
    events = await chat.press_data(*stale)  # pressed again
    assert COUNTED not in " ".join(toasts(events))
    assert await ballots(bot) == 1


@pytest.mark.parametrize("fault", ["429", "dropped"])
async def test_a_cast_whose_every_reply_is_lost_is_one_ballot_and_pressing_again_says_so(
    bot, fault
):
    from tests.test_trust_after_commit import ballots, ready_to_cast, voter_sees_counted_ballot

    chat = await ready_to_cast(bot, 6332)
    stale = pressed(chat, "Cast my vote")
    await press_losing_every_reply(bot, chat, "Cast my vote", fault)
    assert await ballots(bot) == 1
    events = await chat.press_data(*stale)
    assert await ballots(bot) == 1
    assert "You have voted" in shown(events) or "already" in shown(events), shown(events)
    await voter_sees_counted_ballot(chat)


@pytest.mark.parametrize("fault", ["500", "dropped"])
async def test_a_rejection_whose_reason_prompt_is_lost_is_asked_again_and_made_once(bot, fault):
    """ "Type the reason" never arrives (three attempts): nothing is decided; "❌ Reject"
    pressed again asks again, and the reason typed then rejects it once."""
    staff, proposer, number = await proposal_under_review(bot)
    await staff.press("🔎 Start review")
    await dispatch_until_quiet(bot)
    since = bot.emu.last_seq(TOKEN)
    reject = pressed(staff, "❌ Reject")
    inject(bot, fault, "sendMessage", 3)
    events = await staff.press("❌ Reject")
    assert "Type the reason" not in shown(events)
    assert await proposal_rows(bot) == [(number, "under_review", 2)]
    events = await staff.press_data(*reject)
    assert "Type the reason" in shown(events)
    events = await staff.send("No budget this year.")
    assert f"Done: #{number} is now “Rejected”." in shown(events)
    await dispatch_until_quiet(bot)
    assert await proposal_rows(bot) == [(number, "rejected", 3)]
    assert len(await notices(bot, proposer.chat_id, f"#{number}", since)) == 1


@pytest.mark.parametrize("fault", ["500", "dropped"])
async def test_no_pressed_after_a_withdrawal_whose_reply_was_lost_says_it_was_withdrawn(bot, fault):
    """The author's "↩️ Yes, withdraw" is carried out but every reply is lost; the question
    is still on the screen, and its "No, keep it" must not say nothing was changed."""
    chat, number = await benches_proposal(bot)
    await chat.send(f"/start proposal_{number}")
    await chat.press("Withdraw")
    no = pressed(chat, "No, keep it")
    await press_losing_every_reply(bot, chat, "Yes, withdraw", fault)
    assert await proposal_rows(bot) == [(number, "withdrawn", 2)]
    events = await chat.press_data(*no)
    assert "nothing was changed" not in shown(events), shown(events)
    assert f"Your proposal #{number} was withdrawn." in shown(events)


async def test_no_pressed_before_withdrawing_changes_nothing(bot):
    chat, number = await benches_proposal(bot)
    await chat.send(f"/start proposal_{number}")
    await chat.press("Withdraw")
    events = await chat.press("No, keep it")
    assert screens(events) == ["OK, nothing was changed."]
    assert await proposal_rows(bot) == [(number, "submitted", 1)]
    events = await press_stale(chat, "props:no")  # an older question's button
    assert "OK, nothing was changed." in shown(events)


@pytest.mark.parametrize("fault", ["500", "dropped"])
async def test_cancel_pressed_after_a_cast_whose_reply_was_lost_does_not_say_nothing_was_cast(
    bot, fault
):
    """The ballot is counted but every reply is lost: the review is still on the screen,
    and its "✖ Cancel" must not say nothing was cast."""
    from tests.test_trust_after_commit import ballots, ready_to_cast

    chat = await ready_to_cast(bot, 6333)
    cancel = pressed(chat, "✖ Cancel")
    await press_losing_every_reply(bot, chat, "Cast my vote", fault)
    assert await ballots(bot) == 1
    events = await chat.press_data(*cancel)
    assert "Nothing was cast" not in shown(events), shown(events)
    assert "You have voted" in shown(events)
    assert await ballots(bot) == 1


# --- a knowledge-base upload: its "Cancel" after an import whose reply was lost ----------------


@pytest.mark.parametrize("fault", ["500", "dropped"])
async def test_cancel_pressed_after_an_import_whose_reply_was_lost_does_not_say_unchanged(
    bot, fault
):
    import yaml

    from bot.kb import records as kb
    from models import Grant

    admin = bot.chat(900, "Admin", "en")  # ADMIN_IDS
    events = await admin.send("/kbexport")
    [doc] = [e for e in events if e.kind == "message" and (e.message or {}).get("document")]
    changed = yaml.safe_load(bot.emu.file_bytes(TOKEN, doc.message["document"]["file_id"]))
    grant_id = changed["grants"][0]["id"]
    changed["grants"][0]["amount"]["max_krw"] = 1234000
    since = bot.emu.last_seq(TOKEN)
    bot.emu.send_document(TOKEN, admin.user, kb.dump_yaml(changed).encode(), "kb.yaml")
    await admin._reaction(since, timeout=15)
    cancel = pressed(admin, "Cancel")
    await press_losing_every_reply(bot, admin, "✅ Import", fault)
    async with bot.runtime.sessionmaker() as s:
        assert (await s.get(Grant, grant_id)).max_krw == 1234000  # imported
    events = await admin.press_data(*cancel)
    assert "Nothing was changed" not in shown(events), shown(events)
    async with bot.runtime.sessionmaker() as s:
        assert (await s.get(Grant, grant_id)).max_krw == 1234000


@pytest.mark.parametrize("fault", ["500", "dropped"])
async def test_no_pressed_after_a_report_whose_reply_was_lost_says_it_was_reported(bot, fault):
    from models.proposal import ProposalReport

    _, number = await benches_proposal(bot)
    neighbour = await resident(bot, 6341, "Ann")
    await neighbour.send(f"/start proposal_{number}")
    await neighbour.press("Report")
    no = pressed(neighbour, "No")
    await press_losing_every_reply(bot, neighbour, "Yes, report", fault)
    async with bot.runtime.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(ProposalReport)) == 1
    events = await neighbour.press_data(*no)
    assert "nothing was changed" not in shown(events), shown(events)
    assert "You have already reported this proposal." in shown(events)
