"""Issue 9 §4: a resident tapping "🟢 Open now" (접수 중) sees every grant open for
applications — the ones closing soon too, marked — and the grant card says how long is
left once (not "D-16 · 16일 남음")."""

from __future__ import annotations

from datetime import date, datetime

from bot.core.i18n import Translator
from bot.kb import cards
from bot.kb import grants as g
from bot.kb.records import demo_kb_path, load_file, validate
from tests.conftest import SEOUL
from tests.e2e import buttons, edit_of

KO = Translator("ko", SEOUL)
EN = Translator("en", SEOUL)


def grant_buttons(event) -> list[str]:
    rows = (event.reply_markup or {}).get("inline_keyboard") or []
    return [b["text"] for row in rows for b in row if b["callback_data"].startswith("grants:show:")]


async def test_open_now_lists_every_open_grant_closing_soon_ones_marked(bot):
    bot.runtime.clock.set(datetime(2027, 2, 5, 9, 0, tzinfo=SEOUL))  # 5 close on 12 Feb
    chat = bot.chat(5201, "민지", "ko")
    events = await chat.send("/grants")
    listing = events[0]
    labels = buttons(listing)
    assert f"· {KO._('🟢 Open now')} (8) ·" in labels  # 3 open + 5 closing soon
    assert f"{KO._('⏰ Closing soon')} (5)" in labels
    shown = grant_buttons(listing)
    events = await chat.press(KO._("Next ▶"))
    shown += grant_buttons(edit_of(events))
    assert len(shown) == 8
    # nearest deadline first; the closing-soon ones carry the ⏰ mark
    assert shown[0] == "⏰ 이웃만들기 지원사업 · 7일 남음"
    assert sum(label.startswith("⏰ ") for label in shown) == 5
    assert "동단위 시민참여예산 · 84일 남음" in shown
    # the closing-soon section is the same five, a part of the open ones
    events = await chat.press(f"{KO._('⏰ Closing soon')} (5)")
    closing = grant_buttons(edit_of(events))
    assert len(closing) == 5 and all(c in {s.removeprefix("⏰ ") for s in shown} for c in closing)


def test_every_open_grant_is_in_open_now():
    kb, problems = validate(load_file(demo_kb_path()))
    assert kb is not None, problems
    for day in (date(2027, 1, 20), date(2027, 2, 5), date(2027, 2, 12), date(2027, 2, 24)):
        sections = g.grouped(kb.grants, day)
        open_ids = [x.id for x in sections[g.GrantStatus.OPEN]]
        assert open_ids == [x.id for x in sorted(
            (x for x in kb.grants if g.is_open(x, day)),
            key=lambda x: (x.application.closes, x.application.opens),
        )]  # fmt: skip
        assert {x.id for x in sections[g.GrantStatus.CLOSING]} <= set(open_ids)


def test_the_card_says_the_days_left_once():
    kb, _ = validate(load_file(demo_kb_path()))
    assert kb is not None
    grant = next(x for x in kb.grants if x.id == "neighbour-making")  # closes 12 Feb
    now = datetime(2027, 1, 27, 10, 0, tzinfo=SEOUL)  # 16 days left
    ko = cards.grant_card(grant, kb, KO, now).splitlines()[1]
    assert ko == "🟢 접수 중 · 16일 남음"
    en = cards.grant_card(grant, kb, EN, now).splitlines()[1]
    assert en == "🟢 Open now · 16 days left"
    last_day = datetime(2027, 2, 12, 10, 0, tzinfo=SEOUL)
    assert cards.grant_card(grant, kb, KO, last_day).splitlines()[1] == "⏰ 마감 임박 · 오늘 마감"
