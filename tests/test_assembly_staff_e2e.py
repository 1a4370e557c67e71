"""The staff side of assembly votes, end to end (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from bot import assembly as A
from bot.assembly.crypto import keyring_for
from models.assembly import AssemblyVote
from tests.conftest import SEOUL
from tests.e2e import buttons, sent_documents, sent_sheet, texts
from tests.staff_helpers import (
    add_accepted_proposal,
    alert,
    issue_vote_codes,
    latest,
    make_staff,
    vote_online,
)
from tests.test_assembly_support import DURING

HANBIT = "hanbit1-2027"


BOT_OPTIONS = {"ballot_secret": True}


async def ref_of(bot, assembly_id: str) -> int:
    async with bot.runtime.sessionmaker() as s:
        vote = await A.get_vote(s, assembly_id, bot.runtime.clock.now())
        await s.commit()
        return vote.id


async def up_to_the_period(staff, title: str, method: str) -> list:
    """``/assembly`` in Korean, "새 주민총회", ``title`` typed and the button of ``method``;
    returns the reaction to that (the question of the voting period)."""
    await staff.send("/assembly")
    await staff.press("새 주민총회")
    await staff.send(title)
    return await staff.press(method)


async def new_assembly(staff, title: str, method: str, period: str) -> list:
    """A new assembly step by step (:func:`up_to_the_period`), the voting ``period``
    typed, no quorum, the number of eligible residents left for later; returns the
    reaction to "만들기" (the new assembly's panel)."""
    await up_to_the_period(staff, title, method)
    await staff.send(period)
    await staff.press("정족수 없음")
    await staff.press("나중에")
    return await staff.press("만들기")


async def add_items(staff, *titles: str) -> list:
    """On an assembly's panel, in Korean: "안건 추가", the items ``titles`` typed in one
    message, then /cancel; returns the reaction to /cancel (the panel again)."""
    await staff.press("안건 추가")
    await staff.send("\n".join(titles))
    return await staff.send("/cancel")


async def enter_paper_totals(staff, *totals: str) -> list:
    """On an assembly's panel, in Korean: "현장 투표", "종이 투표 집계 입력", then the paper
    totals ``totals`` typed, one message a step; returns the reaction to the last (the
    confirmation screen)."""
    await staff.press("현장 투표")
    await staff.press("종이 투표 집계 입력")
    events: list = []
    for typed in totals:
        events = await staff.send(typed)
    return events


async def test_staff_prepare_open_watch_close_and_see_results(bot):
    await make_staff(bot, 6101, "hanbit1")
    await make_staff(bot, 6102, "saeteo")
    staff = bot.chat(6101, "Staff", "en")
    stranger = bot.chat(6102, "Other staff", "en")
    resident = bot.chat(6103, "Resident", "en")
    events = await resident.send("/assembly")
    assert "This is for the staff of a dong" in events[0].text

    await add_accepted_proposal(bot, resident)

    events = await staff.send("/assembly")
    assert "2027 Hanbit 1-dong general assembly" in events[0].text
    assert "Saeteo" not in events[0].text  # only the staff's own dong
    events = await staff.press("2027 Hanbit 1-dong")
    panel = events[-1].text
    assert "Method: yes / no / abstain on each item" in panel
    assert "Who votes: voting codes from the dong office" in panel
    assert "Quorum: 3%" in panel and "7 items on the ballot:" in panel
    assert "Results are sealed until the close." in panel

    events = await staff.press("Accepted proposals")
    assert any("경로당 텃밭" in b for b in buttons(events[-1]))
    events = await staff.press("경로당 텃밭")
    assert "8 items on the ballot:" in events[-1].text and "8. 경로당 텃밭" in events[-1].text

    events = await staff.press("Add an item")
    assert "Type the item's title" in events[-1].text
    events = await staff.send("골목 벽화 | 2,000,000\n놀이터 | lots")
    assert "the budget must be a whole number" in texts(events)[0]
    earlier = events[0].message["message_id"]  # (an older message, for stale presses below)
    assert "Added 1 item." in texts(events)[-1]
    events = await staff.send("/cancel")
    assert "9. 골목 벽화" in events[-1].text

    events = await staff.press("Re-voting: switch")
    assert "Re-voting: no" in events[-1].text
    # each switch says what it sets: the first press's button pressed again (its reply lost)
    # sets the same again instead of switching back
    ref = await ref_of(bot, HANBIT)
    events = await staff.press_data(earlier, f"asm:rev:{ref}:0")
    assert "Re-voting: no" in events[-1].text
    events = await staff.press("Mode: switch")
    assert "Who votes: open to every Telegram account (non-binding)" in events[-1].text
    events = await staff.press_data(earlier, f"asm:mode:{ref}:open")
    assert "Who votes: open to every Telegram account (non-binding)" in events[-1].text
    # a resident reads the poll as it now is, not the KB's rule of codes from the dong office
    neighbour = bot.chat(6104, "이웃", "ko")
    await neighbour.send("/vote")
    card = (await neighbour.press("한빛1동"))[-1].text
    assert "텔레그램 계정이 있으면 누구나 한 번 투표할 수 있어요" in card, card
    assert "구속력 없음" in card and "투표 코드" not in card, card
    events = await staff.press("Mode: switch")
    assert "Who votes: voting codes from the dong office" in events[-1].text
    await neighbour.send("/vote")
    card = (await neighbour.press("한빛1동"))[-1].text
    assert "투표 자격: " in card and "투표 코드" in card and "구속력" not in card, card
    events = await staff.press("Eligible residents")
    events = await staff.send("about a thousand")
    assert "Please type a whole number" in events[0].text
    events = await staff.send("1,200")
    assert "Eligible residents: 1,200" in events[-1].text

    await stranger.send("/assembly")
    events = await stranger.press("", forge_data=f"asm:open!:{ref}")
    assert alert(events) == "Only the staff of this dong can do that."

    events = await staff.press("Open voting now")
    assert "The ballot can no longer change" in events[-1].text
    events = await staff.press("Yes")
    assert "open until" in events[-1].text
    assert "Add an item" not in " ".join(buttons(events[-1]))
    bot.runtime.clock.advance(minutes=10)
    codes = await issue_vote_codes(bot, HANBIT, 3)
    for n, code in enumerate(codes):  # three residents vote
        await vote_online(bot, HANBIT, bot.chat(6200 + n), code, "y" * 9)
    events = await staff.press("Refresh")
    assert "Turnout so far: 3 (3 online, 0 on site); 3 registered, 3 codes issued" in (
        events[-1].text
    )
    assert "0.2% of the eligible residents" in events[-1].text
    events = await staff.press("", forge_data=f"asm:res:{ref}")
    assert alert(events).startswith("Results are shown after the vote closes")

    events = await staff.press("Close voting now")
    events = await staff.press("Yes")
    assert "closed" in events[-1].text
    events = await staff.press("Results")
    messages = [e for e in events if e.kind == "message"]
    assert "Quorum 3%: not reached, so the results are advisory." in messages[0].text
    assert "9. 골목 벽화: yes 3 (100%)" in messages[0].text
    assert not bot.errors


async def test_staff_create_an_assembly_in_the_bot(bot):
    await make_staff(bot, 6301, "garam")
    staff = bot.chat(6301, "Staff", "en")
    await staff.send("/assembly")
    events = await staff.press("New assembly")
    assert "What is the assembly's title" in events[-1].text
    await staff.send("2027 가람동 주민총회")
    events = await staff.press("Choose up to 2")
    assert "When is voting open?" in events[-1].text
    events = await staff.send("next week")
    assert "Which day? Please name the day." in events[0].text
    events = await staff.send("2027-05-28 09:00 ~ 2027-05-20 18:00")  # closes before it opens
    assert "The vote must close after it opens." in events[0].text
    events = await staff.send("2027-05-28 09:00 ~ 2027-06-14 18:00")
    await staff.press("No quorum")
    events = await staff.send("0")  # eligible residents
    assert texts(events) == ["The number of eligible residents must be 1 or more, or /cancel."]
    await staff.press("Set it later")
    events = await staff.press("Create")
    panel = events[-1].text
    assert "2027 가람동 주민총회" in panel and "choose up to 2 items" in panel
    assert "The ballot has no items yet — please add items first." in panel
    assert "items on the ballot" not in panel
    assert "Open voting now" not in " ".join(buttons(events[-1]))  # nothing to vote on
    ref = next(
        int(b["callback_data"].split(":")[2])
        for row in events[-1].reply_markup["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("asm:o:")
    )
    events = await staff.press("", forge_data=f"asm:open:{ref}")  # an older panel's button
    assert events[-1].text == "The ballot has no items yet — please add items first."
    assert buttons(events[-1]) == ["« Back"]  # nothing to confirm
    events = await staff.press("", forge_data=f"asm:open!:{ref}:00000000")  # forged "Yes"
    assert alert(events) == "The ballot changed since this review. Please look again."
    await staff.press("Back")
    events = await staff.press("Eligible residents")
    events = await staff.send("0")
    assert texts(events) == ["The number of eligible residents must be 1 or more, or /cancel."]
    events = await staff.send("1,200")
    assert "Eligible residents: 1,200" in events[-1].text
    async with bot.runtime.sessionmaker() as s:
        [vote] = [v for v in await A.list_votes(s, DURING) if v.dong_id == "garam"]
        assert vote.opens_at.isoformat() == "2027-05-28T00:00:00+00:00"
        assert vote.created_by == "tg:6301"
    assert not bot.errors


async def test_staff_confirm_dialogs_name_the_vote_once_in_korean(bot):
    """The vote's own title already says 투표 ("… 온라인 투표"): the dialogs to open and to
    close it name it, with the particle its last syllable takes (투표를), and do not add a
    second 투표 ("… 온라인 투표” 투표를")."""
    await make_staff(bot, 6401, "hanbit1")
    staff = bot.chat(6401, "담당자", "ko")
    await staff.send("/assembly")
    await staff.press("2027 한빛1동")

    events = await staff.press("지금 투표 시작")
    question = events[-1].text.split("\n")[0]
    assert question == (
        "지금 “2027 한빛1동 주민총회 온라인 투표”를 시작할까요? "
        "시작한 뒤에는 투표 안건을 바꿀 수 없어요."
    )
    events = await staff.press("네, 투표를 시작해요")
    assert "진행 중" in events[-1].text

    events = await staff.press("지금 투표 마감")
    assert events[-1].text == (
        "지금 “2027 한빛1동 주민총회 온라인 투표”를 마감할까요? "
        "마감한 뒤에는 아무도 투표할 수 없어요."
    )
    assert "투표” 투표" not in " ".join(texts(events))
    events = await staff.press("네, 투표를 마감해요")
    assert "투표를 마감했어요." in texts(events)
    assert not bot.errors


async def test_staff_confirm_dialog_takes_the_particle_of_a_title_ending_in_a_consonant(bot):
    """A title of the staff's own, ending in a consonant (…안건): 을, not 를."""
    await make_staff(bot, 6402, "garam")
    staff = bot.chat(6402, "담당자", "ko")
    events = await new_assembly(
        staff, "2027 가람동 마을 안건", "최대 2개", "2027-05-28 09:00 ~ 2027-06-14 18:00"
    )
    assert "2027 가람동 마을 안건" in events[-1].text
    await add_items(staff, "골목 화단")  # an empty ballot is not offered to open
    events = await staff.press("지금 투표 시작")
    assert events[-1].text.startswith(
        "지금 “2027 가람동 마을 안건”을 시작할까요? 시작한 뒤에는 투표 안건을 바꿀 수 없어요."
    )
    assert not bot.errors


async def test_staff_confirm_dialogs_in_english(bot):
    await make_staff(bot, 6403, "hanbit1")
    staff = bot.chat(6403, "Staff", "en")
    await staff.send("/assembly")
    await staff.press("2027 Hanbit 1-dong")
    events = await staff.press("Open voting now")
    assert events[-1].text.split("\n")[0] == (
        "Open voting on “2027 Hanbit 1-dong general assembly — online vote” now? "
        "The ballot can no longer change afterwards."
    )
    await staff.press("Yes")
    events = await staff.press("Close voting now")
    assert events[-1].text == (
        "Close voting on “2027 Hanbit 1-dong general assembly — online vote” now? "
        "Nobody can vote afterwards."
    )
    assert not bot.errors


async def new_choose_one_vote(bot, staff) -> AssemblyVote:
    """Through the bot, in Korean: a "최대 1개" vote with the items 안건 가 and 안건 나,
    open now. Returns its row."""
    await new_assembly(staff, "가람동 공간 선택", "최대 1개", "2026-12-01 09:00 ~ 2026-12-20 18:00")
    await add_items(staff, "안건 가", "안건 나")
    await staff.press("지금 투표 시작")
    events = await staff.press("네, 투표를 시작해요")
    assert "진행 중" in events[-1].text
    async with bot.runtime.sessionmaker() as s:
        [vote] = [v for v in await A.list_votes(s, bot.runtime.clock.now()) if v.dong_id == "garam"]
        return vote


async def test_results_are_provisional_until_the_paper_totals_are_entered(bot):
    """On-site voters marked, no paper totals: the close warns, and the results (text,
    chart, xlsx) say they are provisional and select nothing, until the totals are in."""
    await make_staff(bot, 6501, "garam")
    staff = bot.chat(6501, "담당자", "ko")
    vote = await new_choose_one_vote(bot, staff)
    codes = await issue_vote_codes(bot, vote.id, 2)
    await vote_online(bot, vote.id, bot.chat(6502), codes[0], "01")
    await staff.press("현장 투표")
    await staff.press("투표자 코드 표시")
    events = await staff.send(codes[1])
    assert "현장 투표자로 표시: 1명" in events[-1].text
    await staff.press("완료")

    events = await staff.press("지금 투표 마감")
    assert "현장 투표자 1명이 표시되어 있지만 종이 투표 집계를 아직 입력하지 않았어요" in (
        events[-1].text
    )
    await staff.press("네, 투표를 마감해요")
    bot.runtime.clock.advance(minutes=1)
    await staff.press("새로고침")
    events = await staff.press("📊 결과")
    result = next(e.text for e in events if e.kind == "message" and e.text)
    assert "잠정 결과예요: 현장 투표자 1명의 종이 투표가 아직 집계되지 않았어요." in result
    assert "1. 안건 가: 0표 (0%), 순위 2 → 미정 (잠정)" in result
    assert "2. 안건 나: 1표 (50%), 순위 1 → 미정 (잠정)" in result
    assert "선정" not in result
    events = await staff.press("엑셀 파일")
    [book] = sent_documents(events)
    rows = list(sent_sheet(bot.emu, book).values)
    assert rows[0][0].startswith("⚠ 잠정 결과예요")
    assert rows[3][2] == "안건 나" and rows[3][9] == "미정 (잠정)"

    await enter_paper_totals(staff, "1", "0")
    await staff.press("저장")
    events = await staff.press("📊 결과")
    result = next(e.text for e in events if e.kind == "message" and e.text)
    assert "잠정" not in result
    assert "1. 안건 가: 1표 (50%), 순위 1 → 동점 — 결정 필요" in result
    assert "2. 안건 나: 1표 (50%), 순위 1 → 동점 — 결정 필요" in result
    events = await staff.press("엑셀 파일")
    [book] = sent_documents(events)
    rows = list(sent_sheet(bot.emu, book).values)
    assert rows[0][0] == "번호"  # no warning row any more
    assert [row[9] for row in rows[1:]] == ["동점 — 결정 필요", "동점 — 결정 필요"]
    assert not bot.errors


async def test_typed_text_at_a_button_step_asks_for_the_buttons(bot):
    """The method step, the new assembly's review and the paper totals' review are
    answered with buttons: typed text there is not a question for the Q&A, and the step
    stays where it is."""
    use_buttons = "위의 버튼으로 답해 주세요. 그만하려면 /cancel 을 입력하세요."
    await make_staff(bot, 6601, "garam")
    staff = bot.chat(6601, "담당자", "ko")

    async def refused(typed: str) -> None:
        assert texts(await staff.send(typed)) == [use_buttons]

    await staff.send("/assembly")
    await staff.press("새 주민총회")
    await staff.send("가람동 공간 선택")
    await refused("찬반")
    await staff.press("최대 1개")
    await staff.send("2026-12-01 09:00 ~ 2026-12-20 18:00")
    await staff.press("정족수 없음")
    events = await staff.press("나중에")
    assert "새 주민총회: 확인해 주세요" in events[-1].text
    await refused("네")
    events = await staff.press("만들기")
    assert "가람동 공간 선택" in events[-1].text
    await add_items(staff, "안건 가", "안건 나")
    await staff.press("지금 투표 시작")
    await staff.press("네, 투표를 시작해요")
    async with bot.runtime.sessionmaker() as s:
        [vote] = [v for v in await A.list_votes(s, bot.runtime.clock.now()) if v.dong_id == "garam"]
        ring = keyring_for(bot.runtime.settings)
        now = bot.runtime.clock.now()
        codes = await A.issue_codes(s, ring, vote, 1, actor="t", now=now)
        await A.mark_onsite(s, ring, vote, codes, actor="t", now=now)
        await s.commit()
    await staff.press("새로고침")
    events = await enter_paper_totals(staff, "1", "0")
    assert "종이 투표 집계: 확인해 주세요" in events[-1].text
    await refused("네")
    events = await staff.press("저장")
    assert "저장했어요." in texts(events)
    events = await staff.send("네")  # the step is over: no more "use the buttons"
    assert use_buttons not in texts(events)
    assert not bot.errors


async def test_a_new_assembly_cannot_open_with_an_empty_ballot(bot):
    """The new-assembly steps never ask for items (they are added on the panel before
    opening), so a start that has passed would open a vote nobody can vote in, whose
    ballot can no longer change. The start is asked again; one that passes while the
    review is open is refused at "만들기", and the period is asked again."""
    past = "시작 일시가 지났어요. 새 주민총회의 투표지는 안건을 넣기 전까지 비어 있어서 아직 시작할 수 없어요"
    await make_staff(bot, 6701, "garam")
    staff = bot.chat(6701, "담당자", "ko")
    await up_to_the_period(staff, "가람동 공간 선택", "최대 1개")
    now = bot.runtime.clock.now().astimezone(SEOUL)
    events = await staff.send(f"{now.year - 1}-01-05 09:00 ~ {now.year + 1}-01-20 18:00")
    assert texts(events)[0].startswith(past)
    assert "“지금 투표 시작”" in texts(events)[0]
    soon = now + timedelta(minutes=30)
    events = await staff.send(f"{soon:%Y-%m-%d %H:%M} ~ {now.year + 1}-01-20 18:00")
    assert events[0].text.startswith("✔ ")
    await staff.press("정족수 없음")
    events = await staff.press("나중에")
    assert past not in events[-1].text
    bot.runtime.clock.advance(hours=1)  # the start passes while the review is open
    events = await staff.press("만들기")
    assert events[-1].text.startswith("새 주민총회 (6단계 중 3단계)\n" + past)
    async with bot.runtime.sessionmaker() as s:
        assert not [
            v for v in await A.list_votes(s, bot.runtime.clock.now()) if v.dong_id == "garam"
        ]
    later = bot.runtime.clock.now().astimezone(SEOUL) + timedelta(days=1)
    await staff.send(f"{later:%Y-%m-%d %H:%M} ~ {now.year + 1}-01-20 18:00")
    await staff.press("정족수 없음")
    await staff.press("나중에")
    events = await staff.press("만들기")
    assert "The ballot has no items yet" not in events[-1].text
    assert "투표지에 아직 안건이 없어요 — 안건을 먼저 추가해 주세요." in events[-1].text
    assert not bot.errors


async def test_staff_move_the_voting_period_and_restart_a_vote_that_opened_empty(bot):
    """ "🕒 투표 기간": before the start the whole period moves; a vote whose start came
    before its items opened empty, and nobody can vote in it — it takes a new start and
    goes back to preparation; while open with items, only the close moves."""
    await make_staff(bot, 6702, "garam")
    staff = bot.chat(6702, "담당자", "ko")
    soon = bot.runtime.clock.now().astimezone(SEOUL) + timedelta(minutes=30)
    await new_assembly(staff, "가람동 공간 선택", "최대 1개", f"{soon:%Y-%m-%d %H:%M} ~ 오후 11시")
    bot.runtime.clock.advance(hours=1)  # the start passes before any item was added
    events = await staff.press("새로고침")
    panel = latest(events).text
    assert "진행 중" in panel and "투표지에 아직 안건이 없어요." in panel
    assert "빈 투표지로는 아무도 투표할 수 없어요." in panel
    assert "안건 추가" not in " ".join(buttons(latest(events)))
    events = await staff.press("🕒 투표 기간")
    assert latest(events).text.startswith("투표는 언제 하나요? 시작 일시와 마감 일시를")
    events = await staff.send("어제 오전 9시 ~ 다음 주 금요일 오후 6시")
    assert texts(events) == [
        "시작 일시가 지났어요. 앞으로의 시작 일시를 입력해 주세요. 바로 투표를 시작하려면 "
        "“지금 투표 시작”을 누르세요."
    ]
    events = await staff.send("내일 오전 9시 ~ 다음 주 금요일 오후 6시")
    assert texts(events)[0].startswith("투표 기간: ")
    panel = latest(events).text
    assert "투표지에 아직 안건이 없어요 — 안건을 먼저 추가해 주세요." in panel
    await add_items(staff, "안건 가", "안건 나")
    await staff.press("지금 투표 시작")
    events = await staff.press("네, 투표를 시작해요")
    assert "진행 중" in latest(events).text
    async with bot.runtime.sessionmaker() as s:
        [vote] = [v for v in await A.list_votes(s, bot.runtime.clock.now()) if v.dong_id == "garam"]
        assert vote.item_ids == ["item-1", "item-2"]
        closes = vote.closes_at

    events = await staff.press("🕒 투표 기간")  # open, with items: only the close moves
    assert latest(events).text.startswith("투표가 진행 중이라 마감만 옮길 수 있어요.")
    events = await staff.send("어제 오후 6시")
    assert texts(events) == [
        "지금보다 뒤의 시각이 아니에요. 바로 마감하려면 “지금 투표 마감”을 누르세요."
    ]
    later = closes + timedelta(days=1)
    events = await staff.send(f"{later.astimezone(SEOUL):%Y-%m-%d %H:%M}")
    assert texts(events)[0].startswith("투표 기간: ")
    async with bot.runtime.sessionmaker() as s:
        vote = await s.get(AssemblyVote, vote.id)
        assert vote.closes_at == later and vote.item_ids == ["item-1", "item-2"]
    assert not bot.errors
