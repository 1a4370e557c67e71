"""A council secretary runs a dong's general assembly with only Telegram, in Korean, end to
end through the Bot API emulator (SQLite and PostgreSQL): create it step by step, put a
proposal and a typed item on the ballot, issue codes (the PDF arrives in the chat; the
test reads the QR codes printed in it), open, mark on-site voters by a typed code and by
a photo of a card's QR code (refused for a code whose holder voted online), enter the
paper totals with a confirmation, close, and get the results, the chart, the xlsx and the
audit in the chat. Every step is in the audit log under the secretary's Telegram id."""

from __future__ import annotations

import io
import re
import zlib

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter
from sqlalchemy import select

from bot import assembly as A
from bot.assembly.sheets import CARD_H, CARD_W, MARGIN_X, MARGIN_Y
from models.audit import AuditLog
from tests.e2e import TOKEN, ChatDriver, buttons, sent_documents, sent_sheet, texts
from tests.staff_helpers import add_accepted_proposal, make_staff, vote_online

PT_PER_MM = 72 / 25.4
SCALE = 3  # pixels per point when a sheet's page is drawn
A4_PT = (595.28, 841.89)


BOT_OPTIONS = {"ballot_secret": True}


# --- slow steps (a PDF, a chart): wait longer than ChatDriver's five seconds ------------


async def press(driver: ChatDriver, label: str, timeout: float = 60.0):
    since = driver.emu.last_seq(TOKEN)
    for message in reversed(driver.emu.messages(TOKEN, driver.chat_id)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard") or []:
            for button in row:
                if label in button.get("text", ""):
                    driver.emu.press(
                        TOKEN, driver.user, driver.chat_id, message["message_id"],
                        button["callback_data"],
                    )  # fmt: skip
                    return await driver._reaction(since, timeout=timeout)
    raise AssertionError(f"no button with {label!r}")


async def send_photo(driver: ChatDriver, data: bytes, timeout: float = 30.0):
    since = driver.emu.last_seq(TOKEN)
    driver.emu.send_photo(TOKEN, driver.user, data)
    return await driver._reaction(since, timeout=timeout)


# --- reading the printed sheet: its QR codes are vector rectangles ----------------------


def page_images(pdf: bytes) -> list[Image.Image]:
    """Each page's filled rectangles (the QR modules) drawn black on white."""
    pages = []
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            content = zlib.decompress(stream.group(1)).decode("latin-1")
        except zlib.error:
            continue
        rects = re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) (-?[\d.]+) re f", content)
        if not rects:
            continue
        image = Image.new("L", (int(A4_PT[0] * SCALE), int(A4_PT[1] * SCALE)), 255)
        draw = ImageDraw.Draw(image)
        for x, y, w, h in (tuple(map(float, r)) for r in rects):
            x0, y0 = x * SCALE, (A4_PT[1] - y) * SCALE
            x1, y1 = (x + w) * SCALE, (A4_PT[1] - y - h) * SCALE
            box = [min(x0, x1), min(y0, y1), max(x0, x1) - 1, max(y0, y1) - 1]
            draw.rectangle(box, fill=0)
        pages.append(image)
    return pages


def card(page: Image.Image, slot: int) -> Image.Image:
    left = (MARGIN_X + (slot % 3) * CARD_W) * PT_PER_MM * SCALE
    top = (MARGIN_Y + (slot // 3) * CARD_H) * PT_PER_MM * SCALE
    size = (CARD_W * PT_PER_MM * SCALE, CARD_H * PT_PER_MM * SCALE)
    return page.crop((int(left), int(top), int(left + size[0]), int(top + size[1])))


def phone_photo(picture: Image.Image) -> bytes:
    """A card as a phone sees it: on a table, turned, a little blurred and dark, JPEG."""
    table = Image.new("RGB", (1280, 960), (196, 186, 170))
    table.paste(picture.convert("RGB").resize((520, 550)), (380, 200))
    shot = table.rotate(9, resample=Image.Resampling.BICUBIC, fillcolor=(80, 80, 80))
    shot = ImageEnhance.Brightness(shot.filter(ImageFilter.GaussianBlur(1.2))).enhance(0.75)
    out = io.BytesIO()
    shot.save(out, "JPEG", quality=70)
    return out.getvalue()


def qr_codes(image: Image.Image) -> list[str]:
    import zxingcpp

    links = [r.text for r in zxingcpp.read_barcodes(image)]
    return [re.search(r"start=vote_([A-Z0-9]+)", link).group(1) for link in links]


# --- the day -----------------------------------------------------------------------------


async def test_a_secretary_runs_the_assembly_from_telegram_in_korean(bot):
    await make_staff(bot, 7101, "hanbit1")
    staff = bot.chat(7101, "총무", "ko")
    resident = bot.chat(7103, "주민", "ko")
    await add_accepted_proposal(bot, resident)

    # prepare, step by step (the test's today is 2026-11-22)
    await staff.send("/assembly")
    events = await staff.press("새 주민총회")
    assert "새 주민총회 (6단계 중 1단계)" in events[-1].text
    assert "주민총회 제목을 한국어로 입력해 주세요" in events[-1].text
    await staff.send("2026 한빛1동 주민총회")
    events = await staff.press("안건마다 찬성 / 반대 / 기권")
    assert "투표는 언제 하나요?" in events[-1].text
    events = await staff.send("다음 달 언젠가")
    assert "예: 12월 10일 오전 9시 ~ 12월 17일 오후 6시" in events[0].text
    events = await staff.send("12월 10일 오후 2시 ~ 12월 17일 오후 6시까지")
    assert "2026년 12월 10일 (목) 오후 2:00 – 2026년 12월 17일 (목) 오후 6:00" in texts(events)[0]
    assert "정족수" in events[-1].text
    events = await staff.send("백 퍼센트 넘게")
    assert "0에서 100 사이의 숫자로" in events[0].text
    await staff.send("10%")
    events = await staff.send("1,200명")
    review = events[-1].text
    assert "새 주민총회: 확인해 주세요" in review and "정족수: 10%" in review
    assert "투표 자격 주민 수: 1,200" in review
    assert "투표 기간: 2026년 12월 10일 (목) 오후 2:00 – 2026년 12월 17일 (목) 오후 6:00" in review
    events = await staff.press("만들기")
    panel = events[-1].text
    assert "2026 한빛1동 주민총회" in panel and "준비 중" in panel
    assert "준비 중, 2026년 12월 10일 (목) 오후 2:00 시작" in panel
    assert "투표지에 아직 안건이 없어요 — 안건을 먼저 추가해 주세요." in panel
    assert "지금 투표 시작" not in " ".join(buttons(events[-1]))  # nothing to vote on yet

    # the ballot: an accepted proposal and a typed item
    await staff.press("채택된 제안")
    events = await staff.press("경로당 텃밭")
    assert "1. 경로당 텃밭" in events[-1].text
    await staff.press("안건 추가")
    events = await staff.send("골목 벽화 | 2,000,000원")
    assert "안건 1개를 추가했어요" in events[-1].text
    events = await staff.send("/cancel")
    assert "2. 골목 벽화" in events[-1].text

    # voting codes: the printable sheet arrives as a document
    events = await staff.press("투표 코드 발급")
    assert "투표 코드를 몇 개" in events[-1].text
    events = await press(staff, "10")
    [sheet] = sent_documents(events)
    assert sheet["file_name"].endswith(".pdf") and sheet["mime_type"] == "application/pdf"
    pdf = bot.emu.file_bytes(TOKEN, sheet["file_id"])
    assert pdf.startswith(b"%PDF")
    page = page_images(pdf)[0]
    codes = qr_codes(page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert any("투표 코드 10개" in (e.message.get("caption") or "") for e in events if e.message)

    # open, after a review of the ballot
    events = await staff.press("지금 투표 시작")
    assert "1. 경로당 텃밭" in events[-1].text and "2. 골목 벽화" in events[-1].text
    events = await staff.press("네, 투표를 시작해요")
    assert "진행 중" in events[-1].text

    # a resident votes online with the first card
    async with bot.runtime.sessionmaker() as s:
        [vote] = [
            v
            for v in await A.list_votes(s, bot.runtime.clock.now())
            if v.dong_id == "hanbit1" and v.kb_assembly_id is None
        ]
        assembly_id = vote.assembly_id
    await vote_online(bot, assembly_id, resident, codes[0], "yn")

    # the assembly day at the dong office
    await staff.press("현장 투표")
    events = await staff.press("투표자 코드 표시")
    assert "QR 코드 사진" in events[-1].text
    events = await staff.send(codes[0].lower())
    assert "⛔" in events[-1].text and "이미 온라인으로 투표" in events[-1].text
    assert "종이 투표용지를 주지 마세요" in events[-1].text
    events = await staff.send(f"{codes[1][:4]}-{codes[1][4:8]}-{codes[1][8:]}")
    assert "✅" in events[-1].text and "현장 투표로 표시했어요" in events[-1].text
    assert "현장 투표자로 표시: 1명" in events[-1].text
    photo = phone_photo(card(page, 2))
    assert qr_codes(Image.open(io.BytesIO(photo))) == [codes[2]]  # the photo is readable
    events = await send_photo(staff, photo)
    assert "✅" in events[-1].text and "현장 투표자로 표시: 2명" in events[-1].text
    events = await send_photo(staff, photo)
    assert "이미 현장 투표로 표시됨" in events[-1].text
    events = await send_photo(staff, phone_photo(Image.new("L", (300, 300), 255)))
    assert "QR 코드를 찾지 못했어요" in events[-1].text
    events = await staff.press("완료")
    assert "지금까지 투표 참여: 3명 (온라인 1명, 현장 2명)" in events[-1].text

    # paper totals, item by item, then a confirmation screen
    await staff.press("현장 투표")
    events = await staff.press("종이 투표 집계 입력")
    assert "1. 경로당 텃밭" in events[-1].text
    events = await staff.send("찬성 둘")
    assert "찬성, 반대, 기권 세 숫자" in events[0].text
    events = await staff.send("2 0 0")
    assert "2. 골목 벽화" in events[-1].text
    events = await staff.send("1, 1, 0")
    check = events[-1].text
    assert "종이 투표 집계: 확인해 주세요" in check
    assert "1. 경로당 텃밭: 찬성 2, 반대 0, 기권 0" in check
    assert "2. 골목 벽화: 찬성 1, 반대 1, 기권 0" in check
    events = await staff.press("저장")
    assert "저장했어요." in texts(events)
    async with bot.runtime.sessionmaker() as s:
        saved = await A.get_vote(s, assembly_id, bot.runtime.clock.now())
        assert saved.onsite_totals == {
            "proposal-1": {"yes": 2, "no": 0, "abstain": 0},
            "item-2": {"yes": 1, "no": 1, "abstain": 0},
        }

    # a late voter marked after the totals: staff are told to enter the totals again
    await staff.press("현장 투표")
    await staff.press("투표자 코드 표시")
    events = await staff.send(codes[3])
    late = "종이 투표 집계를 입력한 뒤에 현장 투표자 1명을 더 표시했어요"
    assert "현장 투표자로 표시: 3명" in events[-1].text and late in events[-1].text
    await staff.press("완료")
    events = await staff.press("지금 투표 마감")  # the close warns of it too; not closed here
    assert late in events[-1].text and "입력하지 않았" not in events[-1].text
    await staff.press(buttons(events[-1])[-1])
    events = await staff.press("현장 투표")
    assert "종이 투표 집계: 입력함" in events[-1].text and late in events[-1].text
    await staff.press("종이 투표 집계 입력")
    await staff.send("3 0 0")
    await staff.send("1 1 1")
    events = await staff.press("저장")
    assert "저장했어요." in texts(events)
    events = await staff.press("현장 투표")
    assert "종이 투표 집계: 입력함" in events[-1].text and late not in events[-1].text
    await staff.press("뒤로")

    # close; results with the chart, the xlsx, the audit
    await staff.press("지금 투표 마감")
    events = await staff.press("네, 투표를 마감해요")
    assert "투표를 마감했어요." in texts(events)
    bot.runtime.clock.advance(minutes=1)  # the manual clock stands still at the close
    events = await staff.press("새로고침")
    assert "\n마감\n" in events[-1].text and "결과는 마감 전까지 봉인" not in events[-1].text
    events = await press(staff, "📊 결과")
    result = next(e.text for e in events if e.kind == "message" and e.text)
    assert "투표 참여: 4명 (온라인 1명, 현장 3명)" in result
    assert "1. 경로당 텃밭: 찬성 4 (100%)" in result and "2. 골목 벽화: 찬성 1 (25%)" in result
    [chart] = [e for e in events if e.kind == "message" and e.message.get("photo")]
    png = bot.emu.file_bytes(TOKEN, chart.message["photo"][-1]["file_id"])
    assert png.startswith(b"\x89PNG")
    events = await press(staff, "엑셀 파일")
    [book] = sent_documents(events)
    sheet_rows = list(sent_sheet(bot.emu, book).values)
    assert sheet_rows[1][2] == "경로당 텃밭" and sheet_rows[1][10] == 4  # total yes
    assert sheet_rows[2][2] == "골목 벽화" and sheet_rows[2][11:13] == (2, 1)  # no, abstain
    events = await press(staff, "검증")
    assert "모든 투표지가 온전하고 개표 결과가 일치해요" in events[-1].text

    async with bot.runtime.sessionmaker() as s:
        rows = (
            (await s.execute(select(AuditLog).where(AuditLog.target_id == assembly_id)))
            .scalars()
            .all()
        )
    mine = {r.action for r in rows if r.actor == "tg:7101" and r.actor_telegram_id == 7101}
    assert mine >= {
        "assembly.create", "assembly.item.add", "assembly.codes", "assembly.configure",
        "assembly.onsite.mark", "assembly.onsite.totals", "assembly.results", "assembly.audit",
    }  # fmt: skip
    assert not bot.errors
