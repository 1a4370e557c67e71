"""Issue 9 §4, proposals: what the bot tells a proposer and staff is true.

* a proposer cannot support their own proposal, and is told so plainly (never that their
  support "counts already" while the count shows 0);
* /propose's ✓ marks the home dong only — never the draft's dong of a user without one;
* staff cannot review their own proposal (conflict of interest: another staff member or
  the district admin must), and the public history never says a review was made "by the
  proposer".
"""

from __future__ import annotations

from sqlalchemy import select

from bot.core.users import set_home_dong
from models import Proposal, User
from tests.e2e import TOKEN, texts
from tests.staff_helpers import make_staff
from tests.test_proposals_e2e import (
    DESCRIPTION,
    alert,
    callback_buttons,
    forge,
    press_cb,
    seed_proposal,
)

PROPOSER, STAFF, OTHER_STAFF = 5601, 7601, 7602


BOT_OPTIONS = {"polling_errors": False}  # a failed getUpdates call may pass


def dong_buttons(event) -> list[str]:
    return [b["text"] for row in event.reply_markup["inline_keyboard"] for b in row][:-1]


async def draft_to_preview(chat, *, dong: str = "새터동") -> object:
    await chat.send("/propose")
    await chat.press(dong)
    await chat.press("안전")
    await chat.send("어린이 놀이터 CCTV 설치 요청")
    await chat.send(DESCRIPTION)
    events = await press_cb(chat, "prop:skip:")
    return events[-1]


async def test_the_tick_marks_the_home_dong_only(bot):
    chat = bot.chat(PROPOSER, "민지", "ko")
    events = await chat.send("/propose")
    assert not any(b.startswith("✓") for b in dong_buttons(events[-1]))  # no home dong
    await draft_to_preview(chat)
    await press_cb(chat, "prop:e:")
    events = await press_cb(chat, "prop:f:")  # the first field: the dong
    question = events[-1]
    assert not any(b.startswith("✓") for b in dong_buttons(question)), dong_buttons(question)
    assert "✓" not in question.text  # nothing claims to mark a home dong
    assert "지금 고른 동: 새터동" in question.text  # the draft's dong, said as what it is

    async with bot.runtime.sessionmaker() as s, s.begin():
        me = (await s.execute(select(User).where(User.telegram_id == PROPOSER))).scalar_one()
        await set_home_dong(s, me, "hanbit1")
    await press_cb(chat, "prop:d:")  # keep 새터동 → back to the preview
    await press_cb(chat, "prop:e:")
    events = await press_cb(chat, "prop:f:")
    labels = dong_buttons(events[-1])
    assert [b for b in labels if b.startswith("✓")] == ["✓ 한빛1동"]  # home, not the draft's
    assert labels[0] == "새터동"  # the draft's choice first
    assert "우리 동에는 ✓ 표시가 있어요." in events[-1].text


async def test_a_proposer_cannot_support_their_own_proposal(bot):
    chat = bot.chat(PROPOSER, "민지", "ko")
    await chat.send("/start")
    mine = await seed_proposal(
        bot, PROPOSER, title="놀이터에 CCTV를 설치해 주세요", description=DESCRIPTION
    )
    preview = await draft_to_preview(chat)
    assert f"#{mine}" in preview.text and "내 제안" in preview.text  # listed as their own
    data = callback_buttons(preview.message)
    assert not any(d.startswith("prop:i:") for d in data)  # no "support instead" for it
    draft_id = next(d for d in data if d.startswith("prop:ok:")).split(":")[2]
    events = await forge(chat, f"prop:i:{draft_id}:{mine}")  # an old or forged button
    said = alert(events)
    assert "내 제안에는 공감할 수 없어요" in said, said
    assert "이미" not in said  # never "already counted"
    async with bot.runtime.sessionmaker() as s:
        assert (await s.get(Proposal, mine)).support_count == 0
    # the card, opened by its author, has no support button either
    events = await chat.send(f"/start proposal_{mine}")
    assert not any(d.startswith("props:s") for d in callback_buttons(events[-1].message))
    assert texts(events)


async def test_staff_cannot_review_their_own_proposal(bot):
    author = bot.chat(STAFF, "Jisoo", "en")  # staff of saeteo, proposing as a resident
    other = bot.chat(OTHER_STAFF, "Minho", "en")
    neighbour = bot.chat(PROPOSER, "민지", "ko")
    for chat in (author, other, neighbour):
        await chat.send("/start")
    await make_staff(bot, STAFF, "saeteo")
    await make_staff(bot, OTHER_STAFF, "saeteo")
    mine = await seed_proposal(
        bot, STAFF, title="경로당 앞 횡단보도 설치", description=DESCRIPTION, language="en"
    )

    events = await author.send(f"/start review_{mine}")
    card = events[-1]
    assert "This is your own proposal" in card.text
    assert not any(d.startswith("rev:a:") for d in callback_buttons(card.message))
    for code in ("st", "hd"):  # an old or forged button
        events = await forge(author, f"rev:a:{mine}:{code}")
        assert "This is your own proposal" in alert(events)
    async with bot.runtime.sessionmaker() as s:
        assert (await s.get(Proposal, mine)).status == "submitted"

    # another staff member reviews it; the history names no proposer as the reviewer
    await other.send(f"/start review_{mine}")
    events = await press_cb(other, f"rev:a:{mine}:st")
    assert f"Done: #{mine} is now “Under review”." in texts(events)[-1]
    events = await neighbour.send(f"/start proposal_{mine}")
    history = events[-1].text.split("\n")
    assert not any("제안자" in line for line in history), history


def test_the_history_never_says_the_proposer_reviewed():
    """Rows written before the rule (a staff member who reviewed their own proposal) read
    as the committee's decision; only a withdrawal is the proposer's."""
    from datetime import UTC, datetime

    from bot.core.i18n import Translator
    from handlers.proposals.browse import _history_line
    from models.proposal import HistoryAction, ProposalHistory
    from tests.conftest import SEOUL

    en = Translator("en", SEOUL)
    at = datetime(2027, 2, 1, tzinfo=UTC)

    def line(to_status: str) -> str:
        entry = ProposalHistory(
            action=HistoryAction.STATUS.value, to_status=to_status, actor_id=7, at=at
        )
        return _history_line(en, entry, author_id=7)

    assert "proposer" not in line("accepted")
    assert "proposer" not in line("under_review")
    assert "by the proposer" in line("withdrawn")


async def test_messages_to_others_are_durable_and_not_claimed_as_sent(bot):
    """The committee's decision reaches the proposer as a durable message written with the
    decision (bot.outbox), and staff are told "will be notified" — not "was told"."""
    from models import Reminder

    staff = bot.chat(STAFF, "Jisoo", "en")
    proposer = bot.chat(PROPOSER, "민지", "ko")
    for chat in (staff, proposer):
        await chat.send("/start")
    await make_staff(bot, STAFF, "saeteo")

    # a new proposal: the dong's staff hear of it through durable rows
    await draft_to_preview(proposer)
    await press_cb(proposer, "prop:ok:")
    async with bot.runtime.sessionmaker() as s:
        pid = (await s.execute(select(Proposal.id))).scalar_one()
        rows = (await s.execute(select(Reminder).where(Reminder.ref == f"proposal:{pid}"))).all()
        assert [(r.Reminder.kind, r.Reminder.chat_id) for r in rows] == [("message", STAFF)]

    since = bot.emu.last_seq(TOKEN)
    await staff.send(f"/start review_{pid}")
    events = await press_cb(staff, f"rev:a:{pid}:st")
    # (the dispatcher may deliver the staff's own "new proposal" notice meanwhile: look at
    # every text of the press, not at the last)
    said = texts(events)
    assert any("The proposer will be notified in their language." in t for t in said), said
    assert not any("was told" in t for t in said), said
    async with bot.runtime.sessionmaker() as s:
        rows = (
            (
                await s.execute(
                    select(Reminder).where(
                        Reminder.ref == f"proposal:{pid}", Reminder.chat_id == PROPOSER
                    )
                )
            )
            .scalars()
            .all()
        )
    assert [r.kind for r in rows] == ["message"]
    await bot.app.dispatcher.run_pass()
    got = bot.emu.events(TOKEN, chat_id=PROPOSER, since=since, kinds={"message"})
    assert len(got) == 1 and f"#{pid}" in got[0].text and "검토 중" in got[0].text
    assert got[0].reply_markup["inline_keyboard"][0][0]["callback_data"] == f"props:v:{pid}"
