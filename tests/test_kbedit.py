"""bot.kb.edits: parsing staff input, keeping the KB valid, saving with an audit entry."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from bot.core import audit
from bot.kb import edits as kbedit
from bot.kb import records as kb
from bot.kb.edits import Change, EditError
from bot.kb.store import KnowledgeStore
from models.kb import Event, Grant
from tests.conftest import SEOUL
from tests.kbdemo import demo_kb as demo

# --- parsing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1000000", 1_000_000),
        ("1,000,000", 1_000_000),
        ("1,000,000원", 1_000_000),
        ("100만", 1_000_000),
        ("100만 원", 1_000_000),
        ("250만원", 2_500_000),
        ("4억 3,200만", 432_000_000),
        ("3천만", 30_000_000),
        ("2천5백만", 25_000_000),
        ("1.5억", 150_000_000),
        ("₩2,500,000", 2_500_000),
        ("KRW 2500000", 2_500_000),
        ("0", 0),
    ],
)
def test_amounts(text, amount):
    assert kbedit.parse_amount(text) == amount


@pytest.mark.parametrize("text", ["abc", "", "억", "1.5", "100달러", "-100만", "1" + "0" * 14])
def test_bad_amounts(text):
    with pytest.raises(EditError):
        kbedit.parse_amount(text)


def test_dates():
    for text in (
        "2027-02-19",
        "2027.2.19",
        "2027/2/19",
        "2027년 2월 19일",
        "20270219",
        "2027-02-19 (금)",
    ):
        assert kbedit.parse_date(text) == date(2027, 2, 19)
    for text in ("2027-02-30", "2월 19일", "next friday", "2027-02-19 10:00"):
        with pytest.raises(EditError):
            kbedit.parse_date(text)


def test_datetimes_are_read_in_the_configured_zone():
    want = datetime(2027, 2, 16, 19, 0, tzinfo=SEOUL)
    for text in (
        "2027-02-16 19:00",
        "2027-02-16T19:00",
        "2027-02-16T10:00:00Z",
        "2027.2.16 오후 7시",
        "2027년 2월 16일 오후 7:00",
        "2027-02-16 7pm",
        "2027-02-16 7:00 PM",
    ):
        assert kbedit.parse_datetime(text, SEOUL) == want, text
    with pytest.raises(EditError) as caught:
        kbedit.parse_datetime("2027-02-16", SEOUL)
    assert "time" in caught.value.message
    for text in ("2027-02-16 25:00", "2027-02-16 오후 13시", "2027-02-30 10:00", "내일 저녁"):
        with pytest.raises(EditError):
            kbedit.parse_datetime(text, SEOUL)


def test_phones_counts_and_text():
    assert kbedit.parse_phone(" 02-555-0199 ") == "02-555-0199"
    assert kbedit.parse_phone("+82 2 555 0199") == "+82 2 555 0199"
    for text in ("전화", "12", "02-555-01a9"):
        with pytest.raises(EditError):
            kbedit.parse_phone(text)
    assert kbedit.parse_count("30명") == 30
    for text in ("0", "서른", "100001"):
        with pytest.raises(EditError):
            kbedit.parse_count(text)
    assert kbedit.parse_text("  한빛마을플랫폼   3층 ") == "한빛마을플랫폼 3층"
    with pytest.raises(EditError):
        kbedit.parse_text("가" * 201)


@pytest.mark.parametrize(
    ("read", "most"),
    [(kbedit.parse_text, kbedit.MAX_TEXT), (lambda text: kbedit.faq_text(text, 50), 50)],
)
def test_typed_text_must_be_there_and_not_too_long(read, most):
    assert read(" 한빛 ") == "한빛"
    assert read("가" * most) == "가" * most
    with pytest.raises(EditError, match="Please type some text"):
        read("   ")
    with pytest.raises(EditError, match="too long") as caught:
        read("가" * (most + 1))
    assert caught.value.value == most


# --- planning ------------------------------------------------------------------------


def test_moving_a_deadline():
    change = kbedit.plan(demo(), "grant", "neighbour-making", "closes", "2027-02-19", SEOUL)
    assert change == Change(
        "grant", "neighbour-making", "closes", date(2027, 2, 12), date(2027, 2, 19)
    )
    edited = kbedit.applied(demo(), change)
    assert next(g for g in edited.grants if g.id == "neighbour-making").application.closes == date(
        2027, 2, 19
    )
    assert demo().grants[0].application.closes == date(2027, 2, 12)  # the snapshot is untouched


@pytest.mark.parametrize(
    ("field", "text", "message_part", "value"),
    [
        ("closes", "2027-01-10", "before the opening date", date(2027, 1, 18)),
        ("closes", "2027-03-10", "after the results date", date(2027, 3, 5)),
        ("opens", "2027-02-13", "after the closing date", date(2027, 2, 12)),
        ("result_on", "2027-02-01", "before the closing date", date(2027, 2, 12)),
        ("max_krw", "3000만", "exceed the total budget", 22_000_000),
        ("total_krw", "50만", "less than the amount per award", 1_000_000),
    ],
)
def test_grant_invariants(field, text, message_part, value):
    with pytest.raises(EditError) as caught:
        kbedit.plan(demo(), "grant", "neighbour-making", field, text, SEOUL)
    assert message_part in caught.value.message
    assert caught.value.value == value


def test_same_value_unknown_field_and_clearing():
    with pytest.raises(EditError, match="already the current value"):
        kbedit.plan(demo(), "grant", "neighbour-making", "max_krw", "100만", SEOUL)
    with pytest.raises(EditError, match="can no longer be edited"):
        kbedit.plan(demo(), "grant", "neighbour-making", "name", "x", SEOUL)
    with pytest.raises(EditError, match="can no longer be edited"):
        kbedit.plan(demo(), "grant", "atlantis", "max_krw", "100만", SEOUL)
    cleared = kbedit.plan(demo(), "grant", "neighbour-making", "result_on", "없음", SEOUL)
    assert cleared.new is None
    with pytest.raises(EditError):  # a required field cannot be cleared
        kbedit.plan(demo(), "grant", "neighbour-making", "closes", "없음", SEOUL)
    no_english = kbedit.plan(demo(), "event", "village-walk", "place_en", "none", SEOUL)
    edited = kbedit.applied(demo(), no_english)
    walk = next(e for e in edited.events if e.id == "village-walk")
    assert walk.place.get("en") == walk.place.ko  # falls back to Korean


def test_event_start_moves_the_end_and_end_must_follow_start():
    change = kbedit.plan(
        demo(), "event", "secretary-training", "starts_at", "2027-02-16 15:00", SEOUL
    )
    assert change.new == datetime(2027, 2, 16, 15, 0, tzinfo=SEOUL)
    assert change.also == (
        (
            "ends_at",
            datetime(2027, 2, 9, 16, 0, tzinfo=SEOUL),
            datetime(2027, 2, 16, 17, 0, tzinfo=SEOUL),
        ),
    )
    with pytest.raises(EditError) as caught:
        kbedit.plan(demo(), "event", "secretary-training", "ends_at", "2027-02-09 13:00", SEOUL)
    assert caught.value.value == datetime(2027, 2, 9, 14, 0, tzinfo=SEOUL)
    capacity = kbedit.plan(demo(), "event", "secretary-training", "capacity", "30명", SEOUL)
    assert (capacity.old, capacity.new) == (25, 30)
    # capacity is only offered for events with a registration block
    policy = next(e for e in demo().events if e.id == "policy-sharing")
    assert "capacity" not in [f.name for f in kbedit.fields_for("event", policy)]
    with pytest.raises(EditError):
        kbedit.plan(demo(), "event", "policy-sharing", "capacity", "30", SEOUL)


def test_change_json_round_trip():
    change = kbedit.plan(
        demo(), "event", "secretary-training", "starts_at", "2027-02-16 15:00", SEOUL
    )
    assert kbedit.change_from_json(kbedit.change_to_json(change)) == change
    amount = kbedit.plan(demo(), "grant", "youth-idea", "total_krw", "2천만", SEOUL)
    assert kbedit.change_from_json(kbedit.change_to_json(amount)) == amount
    assert kbedit.change_from_json({"target": "grant", "field": "name"}) is None
    assert kbedit.change_from_json({"target": "user"}) is None
    assert kbedit.change_from_json({}) is None


# --- saving --------------------------------------------------------------------------


async def test_save_writes_the_row_audits_and_reloads_the_snapshot(sessionmaker, clock):
    async with sessionmaker() as s, s.begin():
        await kb.import_kb(s, demo(), clock.utcnow())
    store = KnowledgeStore(sessionmaker)
    before = await store.get()
    change = kbedit.plan(before, "grant", "neighbour-making", "closes", "2027.2.19", SEOUL)
    async with sessionmaker() as s:
        # the same instant as the import: the fingerprint must still move
        await kbedit.save(
            s, change, actor="tg:900", actor_telegram_id=900, now=clock.utcnow(), knowledge=store
        )
        assert await store.get() is not None  # a read before the commit …
        await s.commit()
    after = await store.get()  # … does not hide the edit after it
    assert next(g for g in after.grants if g.id == "neighbour-making").application.closes == (
        date(2027, 2, 19)
    )
    async with sessionmaker() as s:
        row = await s.get(Grant, "neighbour-making")
        assert row.closes_on == date(2027, 2, 19)
        entry = (await audit.recent(s, 1))[0]
        assert (entry.action, entry.actor, entry.actor_telegram_id) == ("grant.edit", "tg:900", 900)
        assert (entry.target_type, entry.target_id) == ("grant", "neighbour-making")
        assert entry.details == {"field": "closes", "old": "2027-02-12", "new": "2027-02-19"}
        # the KB stays valid: the export validates
        exported, problems = kb.validate(await kb.export_kb(s))
        assert exported is not None, problems


async def test_save_event_fields_and_conflicts(sessionmaker, clock):
    async with sessionmaker() as s, s.begin():
        await kb.import_kb(s, demo(), clock.utcnow())
    start = kbedit.plan(
        demo(), "event", "secretary-training", "starts_at", "2027-02-16 15:00", SEOUL
    )
    place = kbedit.plan(demo(), "event", "secretary-training", "place_ko", "센터 3층", SEOUL)
    async with sessionmaker() as s, s.begin():
        await kbedit.save(s, start, actor="tg:900", now=clock.utcnow())
        await kbedit.save(s, place, actor="tg:900", now=clock.utcnow())
    async with sessionmaker() as s:
        row = await s.get(Event, "secretary-training")
        assert row.starts_at == datetime(2027, 2, 16, 15, tzinfo=SEOUL)
        assert row.ends_at == datetime(2027, 2, 16, 17, tzinfo=SEOUL)
        assert row.place == {"ko": "센터 3층", "en": "Training room, 2F Hanbit Village Platform"}
        details = [e.details for e in await audit.recent(s, 2)]
        assert details[1]["also"] == [
            {
                "field": "ends_at",
                "old": "2027-02-09T16:00:00+09:00",
                "new": "2027-02-16T17:00:00+09:00",
            }
        ]
    # a preview made before someone else's change is refused, and nothing is written
    stale = kbedit.plan(demo(), "event", "secretary-training", "capacity", "30", SEOUL)
    async with sessionmaker() as s, s.begin():
        (await s.get(Event, "secretary-training")).registration_capacity = 40
    async with sessionmaker() as s:
        with pytest.raises(EditError, match="changed this record meanwhile"):
            await kbedit.save(s, stale, actor="tg:900", now=clock.utcnow())
        await s.rollback()
        count = len(
            (await s.execute(select(audit.AuditLog).where(audit.AuditLog.action == "event.edit")))
            .scalars()
            .all()
        )
        assert count == 2
        assert (await s.get(Event, "secretary-training")).registration_capacity == 40


async def test_an_answer_taught_from_the_bot_survives_a_reimport_of_the_centres_file(
    sessionmaker, clock
):
    """The centre's KB file was written before staff taught the bot an answer: importing it
    again (it lacks the entry) archived the answer. Now a taught entry is ``origin: staff``,
    kept by every import, exported with its origin, and the same file imported again keeps
    it as taught; an entry of the file that the file drops is still archived."""
    from models.kb import FaqEntry

    async with sessionmaker() as s, s.begin():
        await kb.import_kb(s, demo(), clock.utcnow())
    store = KnowledgeStore(sessionmaker)
    async with sessionmaker() as s, s.begin():
        taught = await kbedit.publish_faq(
            s, await store.get(), question="주차는 어디에 하나요?",
            answer="센터 뒤 공영주차장을 이용해 주세요.", language="ko", normalized=None,
            through=None, actor="tg:900", now=clock.utcnow(),
        )  # fmt: skip
    smaller = demo().model_copy(update={"faq": demo().faq[1:]})
    dropped = demo().faq[0].id
    async with sessionmaker() as s, s.begin():
        report = await kb.import_kb(s, smaller, clock.utcnow())
    assert report["faq"].archived_ids == [dropped]
    async with sessionmaker() as s:
        row = await s.get(FaqEntry, taught)
        assert (row.archived, row.origin) == (False, "staff")
        exported = await kb.export_kb(s)
    [entry] = [f for f in exported["faq"] if f["id"] == taught]
    assert entry["origin"] == "staff"
    again, problems = kb.validate(exported)
    assert again is not None, problems
    async with sessionmaker() as s, s.begin():
        await kb.import_kb(s, again, clock.utcnow())
    async with sessionmaker() as s:
        row = await s.get(FaqEntry, taught)
        assert (row.archived, row.origin) == (False, "staff")
