"""Knowledge from Telegram, end to end in Korean (both databases): a secretary sees the
questions the bot could not answer, most asked first, writes the answer to one and
publishes it as a FAQ entry — the next resident who asks gets it; an admin sends a KB
file (every problem listed, nothing imported; a valid one summarised, then imported) and
gets the KB back with /kbexport; residents and forged presses are refused."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import func, select

from bot.core import users
from bot.kb import records as kb
from models.audit import AuditLog
from models.kb import FaqEntry, Grant
from models.qa import UnansweredQuestion
from tests.e2e import TOKEN, buttons, running_bot, texts
from tests.staff_helpers import first_answer as alert_of
from tests.staff_helpers import latest as last

ADMIN = 900
SECRETARY = 5201
RESIDENT = 5202
NEIGHBOUR = 5203
QUESTION = "반려견 동반 입장이 되나요?"
ANSWER = "마을회관에는 반려견과 함께 들어올 수 있어요. 목줄을 꼭 해 주세요."


@pytest.fixture
async def bot(runtime):
    async with running_bot(runtime) as under_test:
        async with runtime.sessionmaker() as s, s.begin():
            await users.grant_role(
                s, SECRETARY, "staff", dong_id="hanbit1", actor="test", now=runtime.clock.utcnow()
            )
        yield under_test
        assert [e for e in under_test.emu.api_errors(TOKEN) if e.method != "getUpdates"] == []
        assert not under_test.errors


async def test_a_secretary_teaches_the_bot_a_new_answer(bot):
    resident = bot.chat(RESIDENT, "민지", "ko")
    neighbour = bot.chat(NEIGHBOUR, "철수", "ko")
    events = await resident.send(QUESTION)
    assert "모르겠어요" in " ".join(texts(events))
    await neighbour.send("반려견 동반 입장이 되나요")  # the same question, other punctuation
    await neighbour.send("주차장 자리가 몇 대인가요?")

    secretary = bot.chat(SECRETARY, "수진", "ko")
    events = await secretary.send("/unanswered")
    screen = last(events)
    assert screen.text.splitlines()[0] == "❓ 제가 답하지 못한 질문"  # no "(담당자)" of /help
    lines = screen.text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    assert QUESTION.rstrip("?") in lines[first] and "2번" in lines[first]  # most asked first
    assert lines[first + 1].startswith("2. 주차장")

    events = await secretary.press("1. ")
    assert "2번 물어봤어요" in last(events).text
    assert "언어: 한국어" in last(events).text.splitlines()  # not "ko"
    events = await secretary.press("✍ 답 쓰기")
    assert "주민에게 알려 줄 답을 입력해 주세요." in last(events).text
    events = await secretary.send("가" * 2001)  # too long: asked again, the text given back
    assert "2,000" in " ".join(texts(events)) and "가" * 2001 in texts(events)
    events = await secretary.send(ANSWER)
    preview = last(events)
    assert f"A. {ANSWER}" in preview.text and "Q. 반려견" in preview.text
    events = await secretary.press("✅ 게시하기")
    assert alert_of(events).text == "게시했어요."
    assert "이제 이 질문에는 적어 주신 답으로 안내해요." in " ".join(texts(events))

    # the next resident who asks gets the answer, at once
    events = await resident.send(QUESTION)
    assert ANSWER in " ".join(texts(events))

    async with bot.runtime.sessionmaker() as s:
        entry = (await s.execute(select(FaqEntry).where(FaqEntry.id.like("asked-%")))).scalar_one()
        logged = await s.scalar(select(func.count()).select_from(UnansweredQuestion))
        audit = (
            await s.execute(select(AuditLog).where(AuditLog.action == "faq.create"))
        ).scalar_one()
    assert entry.answer == {"ko": ANSWER}
    assert logged == 3  # the log keeps every question; the list leaves answered ones out
    assert (audit.actor, audit.target_id) == (f"tg:{SECRETARY}", entry.id)

    events = await secretary.send("/unanswered")
    screen = last(events)
    assert "반려견" not in screen.text and "1. 주차장" in screen.text


async def test_residents_and_forged_presses_are_refused(bot):
    resident = bot.chat(RESIDENT, "민지", "ko")
    await resident.send(QUESTION)
    events = await resident.send("/unanswered")
    assert "담당자만 할 수 있어요." in " ".join(texts(events))
    from bot.kb.edits import question_key
    from bot.qa.text import normalize

    key = question_key(normalize(QUESTION))
    for data in (f"kbq:teach:{key}", f"kbq:show:{key}", "kbq:list:0", "kbup:ok:0123456789ab"):
        events = await resident.press("", forge_data=data)
        assert alert_of(events).text in (
            "담당자만 할 수 있어요.",
            "지식 베이스는 구 관리자만 가져올 수 있어요.",
        )
    # a resident's YAML file is refused and changes nothing
    resident.emu.send_document(TOKEN, resident.user, b"version: 1\n", "kb.yaml")
    events = await resident._reaction(resident.emu.last_seq(TOKEN) - 1)
    assert "지식 베이스는 구 관리자만 가져올 수 있어요." in " ".join(texts(events))
    # staff of a dong are not admins for the KB file either
    secretary = bot.chat(SECRETARY, "수진", "ko")
    events = await secretary.send("/kbexport")
    assert "지식 베이스는 구 관리자만 가져올 수 있어요." in " ".join(texts(events))
    async with bot.runtime.sessionmaker() as s:
        assert (
            await s.scalar(
                select(func.count()).select_from(FaqEntry).where(FaqEntry.id.like("asked-%"))
            )
            == 0
        )


async def _send_file(driver, data: bytes, name: str):
    since = driver.emu.last_seq(TOKEN)
    driver.emu.send_document(TOKEN, driver.user, data, name)
    return await driver._reaction(since, timeout=15)


async def test_admin_uploads_a_kb_file_and_exports_it(bot):
    admin = bot.chat(ADMIN, "관리자", "ko")
    events = await admin.send("/kbexport")
    sent = next(e for e in events if e.kind == "message" and e.message.get("document"))
    assert sent.message["document"]["file_name"].startswith("maeul-kb-")
    exported = bot.emu.file_bytes(TOKEN, sent.message["document"]["file_id"])
    doc = yaml.safe_load(exported.decode("utf-8"))
    assert doc["region"]["id"] and len(doc["grants"]) >= 5

    # a broken file: every problem with its place, nothing imported
    broken = yaml.safe_load(exported.decode("utf-8"))
    broken["grants"][0]["amount"]["max_krw"] = "많이"
    broken["events"][1]["kind"] = "party"
    events = await _send_file(admin, kb.dump_yaml(broken).encode(), "kb.yaml")
    reply = " ".join(texts(events))
    assert "아무것도 가져오지 않았어요" in reply
    assert "grants[0].amount.max_krw" in reply and "events[1].kind" in reply
    events = await _send_file(admin, b"version: 1\nregion: [\n", "bad.yml")
    assert "line " in " ".join(texts(events))
    # a text only LibYAML reads (an unquoted "?" inside {...}): refused too, with where and how
    demo_text = kb.demo_kb_path().read_text(encoding="utf-8")
    unquoted = demo_text.replace(
        '{ko: "혼자서도 신청할 수 있나요?",', "{ko: 혼자서도 신청할 수 있나요?,"
    )
    assert unquoted != demo_text
    reply = " ".join(texts(await _send_file(admin, unquoted.encode(), "kb.yaml")))
    assert "아무것도 가져오지 않았어요" in reply and "put the text in quotes" in reply

    # a valid file: the summary first, then the import
    changed = yaml.safe_load(exported.decode("utf-8"))
    grant_id = changed["grants"][0]["id"]
    changed["grants"][0]["amount"]["max_krw"] = 1234000
    dropped = changed["faq"].pop()["id"]
    events = await _send_file(admin, kb.dump_yaml(changed).encode(), "kb.yaml")
    preview = last(events)
    assert "공모사업: 새로 0, 변경 1, 보관 0" in preview.text
    assert f"FAQ: 새로 0, 변경 0, 보관 1 ({dropped})" in preview.text
    async with bot.runtime.sessionmaker() as s:
        assert (await s.get(Grant, grant_id)).max_krw != 1234000  # nothing yet
    events = await admin.press("✅ 가져오기")
    assert alert_of(events).text == "가져왔어요."
    async with bot.runtime.sessionmaker() as s:
        assert (await s.get(Grant, grant_id)).max_krw == 1234000
        assert (await s.get(FaqEntry, dropped)).archived
        entry = (
            await s.execute(select(AuditLog).where(AuditLog.action == "kb.import"))
        ).scalar_one()
    assert entry.actor == f"tg:{ADMIN}" and entry.details["sections"]["grants"]["updated"] == 1
    # the confirmation cannot be replayed
    await admin.send("/start")
    events = await admin.press("", forge_data=f"kbup:ok:{'0' * 12}")
    assert "더 이상 쓸 수 없는 버튼" in alert_of(events).text


FOLLOW_UP = "작년 경쟁률은요?"  # no topic of its own: about the grant just answered, if any


async def test_a_follow_up_is_shown_and_taught_with_the_record_it_followed(bot):
    """ "작년 경쟁률은요?" after 이웃만들기, after 골목만들기 and asked alone are three questions
    for staff, each saying which answer it followed; the answer taught to one names its
    grant in the FAQ question (never the bare "작년 경쟁률은요?") and leaves the others open."""
    first = bot.chat(RESIDENT, "민지", "ko")
    await first.send("이웃만들기 신청 언제까지예요?")
    events = await first.send(FOLLOW_UP)
    assert "모르겠어요" in " ".join(texts(events))
    second = bot.chat(NEIGHBOUR, "철수", "ko")
    await second.send("골목만들기 신청 언제까지예요?")
    await second.send(FOLLOW_UP)
    await bot.chat(5204, "영희", "ko").send(FOLLOW_UP)  # alone: after no answer
    await first.send("이웃만들기 신청 언제까지예요?")
    await first.send("작년  경쟁률은요")  # the same after the same grant, written otherwise
    async with bot.runtime.sessionmaker() as s:
        logged = (await s.execute(select(UnansweredQuestion))).scalars().all()
    assert sorted((q.followed or "") for q in logged) == [
        "",
        "grant:alley-making",
        "grant:neighbour-making",
        "grant:neighbour-making",
    ]

    secretary = bot.chat(SECRETARY, "수진", "ko")
    screen = last(await secretary.send("/unanswered")).text
    lines = screen.splitlines()
    asked = [i for i, line in enumerate(lines) if FOLLOW_UP.rstrip("?") in line]
    assert len(asked) == 3, screen  # three questions, not one asked four times
    assert lines[asked[0]].startswith("1. ") and "2번" in lines[asked[0]]
    assert lines[asked[0] + 1].strip() == "↪ 이웃만들기 지원사업에 대한 답변 뒤에 나온 질문"
    shown = {lines[i + 1].strip() for i in asked[1:] if i + 1 < len(lines)}
    assert "↪ 골목만들기 지원사업에 대한 답변 뒤에 나온 질문" in shown

    events = await secretary.press("(이웃만들기 지원사업)")
    card = last(events).text
    assert "2번 물어봤어요" in card and "이웃만들기 지원사업에 대한 답변 뒤에 나온 질문" in card
    assert "📄 이웃만들기 지원사업" in buttons(last(events))  # its card: where an admin edits it
    events = await secretary.press("✍ 답 쓰기")
    intro = last(events).text
    assert "이웃만들기 지원사업 작년 경쟁률은요?" in intro  # the FAQ question names the grant
    await secretary.send("작년에는 20개 모임이 신청해서 12개 모임이 선정됐어요.")
    events = await secretary.press("✏️ 질문 다듬기")
    events = await secretary.send("작년 경쟁률은요")  # the bare question: refused, asked again
    assert "이웃만들기 지원사업에 대한 답변 뒤에 나온 질문이라" in " ".join(texts(events))
    events = await secretary.send("이웃만들기 지원사업 경쟁률은 어떻게 되나요?")
    assert "Q. 이웃만들기 지원사업 경쟁률은 어떻게 되나요?" in last(events).text
    events = await secretary.press("✅ 게시하기")
    assert alert_of(events).text == "게시했어요."

    async with bot.runtime.sessionmaker() as s:
        entry = (await s.execute(select(FaqEntry).where(FaqEntry.id.like("asked-%")))).scalar_one()
        audit = (
            await s.execute(select(AuditLog).where(AuditLog.action == "faq.create"))
        ).scalar_one()
    assert entry.question == {"ko": "이웃만들기 지원사업 경쟁률은 어떻게 되나요?"}
    assert audit.details["followed"] == "grant:neighbour-making"
    # the other two stay open: the answer was about 이웃만들기 only
    screen = last(await secretary.send("/unanswered")).text
    assert screen.count(FOLLOW_UP.rstrip("?")) == 2, screen
    assert "이웃만들기 지원사업에 대한" not in screen and "골목만들기 지원사업에 대한" in screen


async def test_a_follow_up_group_is_named_by_its_record_and_stale_presses_are_refused(bot):
    from bot.kb.edits import question_key
    from bot.qa.text import normalize

    resident = bot.chat(RESIDENT, "민지", "ko")
    await resident.send("이웃만들기 신청 언제까지예요?")
    await resident.send(FOLLOW_UP)
    secretary = bot.chat(SECRETARY, "수진", "ko")
    await secretary.send("/unanswered")
    normalized = normalize(FOLLOW_UP)
    key = question_key(normalized, "grant:neighbour-making")
    bare = question_key(normalized)
    assert key != bare and key != question_key(normalized, "grant:alley-making")
    # the group's key, pressed by a resident: refused; the bare text's key or another
    # grant's (no such group): refused as stale, never taken for this group
    for data in (f"kbq:show:{key}", f"kbq:teach:{key}"):
        events = await resident.press("", forge_data=data)
        assert alert_of(events).text == "담당자만 할 수 있어요."
    for data in (f"kbq:show:{bare}", f"kbq:teach:{bare}"):
        events = await secretary.press("", forge_data=data)
        assert alert_of(events).text == "그사이 이 질문에 답이 등록됐어요."
    events = await secretary.press("", forge_data=f"kbq:show:{key}")
    assert "이웃만들기 지원사업에 대한 답변 뒤에 나온 질문" in last(events).text


async def test_a_follow_up_after_a_record_no_longer_in_the_kb_shows_its_kind_and_id(bot):
    async with bot.runtime.sessionmaker() as s, s.begin():
        s.add(UnansweredQuestion(asked_on=bot.runtime.clock.now().date(), text="서류는요?",
                                 normalized="서류는요", language="ko",
                                 followed="grant:closed-2025"))  # fmt: skip
    secretary = bot.chat(SECRETARY, "수진", "ko")
    screen = last(await secretary.send("/unanswered")).text
    assert "↪ 지금은 정보에 없는 지원사업 closed-2025에 대한 답변 뒤에 나온 질문" in screen
    events = await secretary.press("(closed-2025)")
    assert "지금은 정보에 없는 지원사업 closed-2025에 대한" in last(events).text
    shown = buttons(last(events))
    assert "✍ 답 쓰기" in shown and not [b for b in shown if "📄" in b]  # no card to open
    events = await secretary.press("✍ 답 쓰기")
    assert "closed-2025 서류는요?" in last(events).text
