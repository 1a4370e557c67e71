"""bot.kb.cards: grant, event and FAQ cards in Korean and English; callback data."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from bot.core.i18n import Translator
from bot.kb import cards, schedule
from bot.kb import records as kb
from bot.kb.eligibility import Reason
from tests.conftest import SEOUL, TEST_NOW
from tests.kbdemo import demo_kb as demo

KO = Translator("ko", SEOUL)
EN = Translator("en", SEOUL)
FEB_5 = datetime(2027, 2, 5, 9, 0, tzinfo=SEOUL)


def grant(grant_id: str) -> kb.GrantSpec:
    return next(g for g in demo().grants if g.id == grant_id)


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_grant_card_in_korean():
    card = cards.grant_card(grant("neighbour-making"), demo(), KO, FEB_5)
    text = plain(card)
    assert card.startswith("<b>이웃만들기 지원사업</b>")
    assert KO._("⏰ Closing soon") in text
    assert KO._("⏰ Closing soon") + " · " + KO.n_("{n} day left", "{n} days left", 7) in text
    assert "100만 원" in text and "2,200만 원" in text
    assert (
        KO.n_(
            "{total} in all, about {n} award",
            "{total} in all, about {n} awards",
            22,
            total="2,200만 원",
        )
        in text
    )
    assert "2027년 1월 18일 (월)" in text and "2027년 2월 12일 (금)" in text
    assert KO._("Results announced: {date}", date="2027년 3월 5일 (금)") in text
    assert "• 활동계획서 및 예산서" in text
    assert "마을지원팀 · 02-555-0141" in text
    assert "한빛구에 살거나 일하는 주민 3명 이상" in text  # eligibility
    assert "선정 모임은 3월 회계교육" in text  # support
    # related events with their next date (the January ones are over by 5 February)
    assert "• 공모사업 선정단체 회계교육 (3월 11일 (목))" in text
    assert "• 공모사업 사전상담 주간 (" + KO._("ended") + ")" in text


def test_grant_card_in_english_with_self_funding_and_status_lines():
    card = plain(cards.grant_card(grant("alley-making"), demo(), EN, TEST_NOW))
    assert card.startswith("Alley-Making Grant\n🗓 Upcoming · opens in 57 days")
    assert "Up to ₩5,000,000 per award" in card
    assert "₩10,000,000 in all, about 2 awards" in card
    assert "Self-funding: 10% of the budget is paid by the group" in card
    assert "Mon 18 Jan 2027 to Fri 12 Feb 2027" in card
    closing_day = plain(
        cards.grant_card(grant("alley-making"), demo(), EN, datetime(2027, 2, 12, 23, tzinfo=SEOUL))
    )
    assert "⏰ Closing soon · closes today" in closing_day
    closed = plain(
        cards.grant_card(grant("alley-making"), demo(), EN, datetime(2027, 2, 13, tzinfo=SEOUL))
    )
    assert "\n⛔ Closed\n" in closed  # the dates follow under "Application period"
    open_now = plain(cards.grant_card(grant("participatory-budget"), demo(), EN, FEB_5))
    assert "🟢 Open now · 84 days left" in open_now
    assert "Results announced" not in open_now  # no result date in the KB


def test_kb_text_is_escaped():
    doc = demo().model_dump(exclude_none=True)
    doc["grants"][0]["name"] = {"ko": "<b>굵게</b> & 이웃", "en": "A <i>grant</i>"}
    doc["grants"][0]["documents"] = [{"ko": "신청서 <script>"}]
    parsed, problems = kb.validate(doc)
    assert parsed is not None, problems
    card = cards.grant_card(parsed.grants[0], parsed, KO, FEB_5)
    assert "&lt;b&gt;굵게&lt;/b&gt; &amp; 이웃" in card
    assert "신청서 &lt;script&gt;" in card
    assert "<script>" not in card and "<i>" not in cards.grant_card(
        parsed.grants[0], parsed, EN, FEB_5
    )


def test_event_card_time_place_registration_in_both_languages():
    event = schedule.get_event(demo(), "secretary-training")
    april = datetime(2027, 4, 13, 14, 0, tzinfo=SEOUL)
    ko = plain(cards.event_card(event, april, demo(), KO, FEB_5))
    assert "🕒 2027년 4월 13일 (화) 오후 2:00 ~ 4:00" in ko
    assert "📍 한빛마을플랫폼 2층 교육실" in ko
    assert "👥 각 동 주민자치회 간사" in ko
    assert KO._("Registration required") in ko
    assert KO.n_("{n} place", "{n} places", 25) in ko
    assert "2027년 4월 11일 (일) 오후 2:00" in ko  # 48 hours before
    assert KO.n_("{n} session in all", "{n} sessions in all", 6) in ko
    assert "6월 8일 (화)" in ko and "4월 13일 (화), " not in ko  # later dates only
    en = plain(cards.event_card(event, april, demo(), EN, FEB_5))
    assert "🕒 Tue 13 Apr 2027, 2:00 PM – 4:00 PM" in en
    assert "🎓 Training · District-wide" in en
    assert "Registration required · 25 places · closes 48 hours before the start" in en


def test_event_card_defaults_to_the_next_occurrence_and_says_when_over():
    event = schedule.get_event(demo(), "secretary-training")
    card = plain(cards.event_card(event, None, demo(), EN, datetime(2027, 4, 1, tzinfo=SEOUL)))
    assert "Tue 13 Apr 2027" in card
    after_all = datetime(2028, 1, 1, tzinfo=SEOUL)
    card = plain(cards.event_card(event, None, demo(), EN, after_all))
    assert "Tue 14 Dec 2027" in card and "This date is over." in card
    during = datetime(2027, 2, 9, 15, 0, tzinfo=SEOUL)
    assert "Happening now." in plain(cards.event_card(event, None, demo(), EN, during))
    late = datetime(2027, 2, 8, 15, 0, tzinfo=SEOUL)  # 23 hours before: registration closed
    assert "registration for this date has closed" in plain(
        cards.event_card(event, None, demo(), EN, late)
    )


def test_registration_closes_at_the_start_when_no_deadline_is_set():
    """Registration for an occurrence closes at its start (registrations.refusal: started)
    when the event sets no deadline: the card said nothing of it and still counted the
    places left, although it offered no "Register"."""
    event = schedule.get_event(demo(), "accounting-class")  # 80 places, no deadline
    start = datetime(2027, 3, 11, 19, 0, tzinfo=SEOUL)
    before = plain(
        cards.event_card(event, None, demo(), EN, start - timedelta(hours=1), seats=(80, 3, 0))
    )
    assert "77 of 80 places left" in before and "has closed" not in before
    during = plain(
        cards.event_card(event, None, demo(), EN, start + timedelta(minutes=5), seats=(80, 3, 0))
    )
    assert "Happening now." in during
    assert "Registration required · 80 places · registration for this date has closed" in during
    assert "places left" not in during


def test_event_card_dong_open_registration_and_related_grants():
    workshop = schedule.get_event(demo(), "autonomy-plan-workshop-hanbit1")
    card = plain(cards.event_card(workshop, None, demo(), KO, TEST_NOW))
    assert "한빛1동" in card.splitlines()[1]
    assert "🕒 2027년 3월 20일 (토) 오전 10:00 ~ 오후 1:00" in card  # crosses noon
    assert "• 동단위 시민참여예산" in card and "• 주민자치활동 지원사업" in card
    info = schedule.get_event(demo(), "grant-info-session")
    assert KO._("No registration needed") in plain(
        cards.event_card(info, None, demo(), KO, TEST_NOW)
    )


def test_time_range_over_two_days():
    start = datetime(2027, 5, 1, 22, 0, tzinfo=SEOUL)
    end = datetime(2027, 5, 2, 1, 0, tzinfo=SEOUL)
    assert (
        cards.time_range(start, end, KO)
        == "2027년 5월 1일 (토) 오후 10:00 ~ 2027년 5월 2일 (일) 오전 1:00"
    )


def test_faq_card():
    faq = next(f for f in demo().faq if f.id == "pre-consultation")
    ko = plain(cards.faq_card(faq, demo(), KO))
    assert ko.startswith(KO._("Q.") + " 공모사업 사전상담은 어떻게 받나요?")
    assert "02-555-0141" in ko
    assert "• 이웃만들기 지원사업" in ko and "• 골목만들기 지원사업" in ko
    en = plain(cards.faq_card(faq, demo(), EN))
    assert en.startswith("Q. How do I get a pre-application consultation?")
    accounting = next(f for f in demo().faq if f.id == "accounting")
    assert [kind for kind, _ in cards.related_records(accounting, demo())] == ["events"]
    no_related = next(f for f in demo().faq if f.id == "newsletter")
    assert EN._("See also") not in plain(cards.faq_card(no_related, demo(), EN))


def test_callback_data_fits_and_resolves():
    assert cards.show_data("grants", "neighbour-making") == "grants:show:neighbour-making"
    assert cards.show_data("events", "secretary-training") == "events:show:secretary-training"
    assert cards.show_data("faq", "accounting") == "faq:show:accounting"
    long_id = "a" * 64
    data = cards.show_data("grants", long_id)
    assert len(data.encode()) <= 64 and data.startswith("grants:show:~")
    assert cards.resolve(data.removeprefix("grants:show:"), ["x", long_id]) == long_id
    assert cards.resolve("~0000000000", ["x", long_id]) is None
    assert cards.resolve("atlantis", ["x"]) is None
    occurrence = cards.occurrence_data(long_id, date(2027, 2, 9))
    assert len(occurrence) <= 64 and occurrence.endswith("@20270209")
    assert cards.occurrence_data("village-walk", date(2027, 4, 24)) == (
        "events:occ:village-walk@20270424"
    )


def test_eligibility_reasons_in_both_languages():
    assert cards.reason_text(Reason("members", number=5), demo(), EN) == "needs at least 5 members"
    assert cards.reason_text(Reason("max_age", number=39), demo(), EN) == (
        "only for people aged 39 or under"
    )
    assert cards.reason_text(Reason("group_age", number=1), demo(), EN) == (
        "the group must have existed for at least 1 year"
    )
    prior = Reason("prior_grant", grant_id="neighbour-making")
    assert "Neighbour-Making Grant" in cards.reason_text(prior, demo(), EN)
    assert "이웃만들기 지원사업" in cards.reason_text(prior, demo(), KO)
    residency = Reason("residency", text=grant("neighbour-making").rules.residency)
    assert cards.confirm_text(residency, KO).endswith("한빛구 거주 또는 직장·학교 소재")
    assert cards.confirm_text(residency, EN) == "residency: live, work or study in Hanbit-gu"
    ages = Reason("team_ages", number=18, upper=39)
    assert cards.confirm_text(ages, EN) == "every member must be aged 18 to 39"
    assert cards.confirm_text(Reason("team_ages", number=14), EN) == (
        "every member must be aged 14 or over"
    )


def test_dates_in_another_year_show_their_year_on_cards():
    """As in the events lists: a short date ("11월 13일 (토)") a year ahead reads as past,
    so a date not in the current year has its year; this year's stay short."""
    event = schedule.get_event(demo(), "secretary-training")
    april = datetime(2027, 4, 13, 14, 0, tzinfo=SEOUL)
    ko = plain(cards.event_card(event, april, demo(), KO, TEST_NOW))  # seen in November 2026
    assert "다음: 2027년 6월 8일 (화)" in ko, ko
    assert "다음: 6월 8일 (화)" in plain(cards.event_card(event, april, demo(), KO, FEB_5))
    # a grant card's related events, and a grant's "opens …" in lists
    card = plain(cards.grant_card(grant("neighbour-making"), demo(), KO, TEST_NOW))
    assert "• 공모사업 선정단체 회계교육 (2027년 3월 11일 (목))" in card, card
    today = TEST_NOW.date()
    assert cards.window_badge(grant("alley-making"), today, EN) == "opens Mon 18 Jan 2027"
    assert cards.window_badge(grant("alley-making"), date(2027, 1, 5), EN) == "opens Mon 18 Jan"
