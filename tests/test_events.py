"""bot.kb.schedule: recurrences expanded with dateutil in the configured zone, keys, filters."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.kb import records as kb
from bot.kb import schedule
from bot.kb.records import EventSpec
from tests.conftest import SEOUL, TEST_NOW
from tests.kbdemo import demo_kb as demo


def event(**overrides) -> EventSpec:
    base = {
        "id": "e",
        "kind": "training",
        "title": {"ko": "교육"},
        "starts_at": "2027-02-09T14:00:00+09:00",
        "ends_at": "2027-02-09T16:00:00+09:00",
        "place": {"ko": "교육실"},
        "audience": {"ko": "누구나"},
        "description": {"ko": "설명"},
    }
    return EventSpec.model_validate({**base, **overrides})


def test_bimonthly_second_tuesday_in_seoul():
    spec = event(rrule="FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;COUNT=6")
    found = list(schedule.occurrences(spec, SEOUL))
    assert [o.day for o in found] == [
        date(2027, 2, 9),
        date(2027, 4, 13),
        date(2027, 6, 8),
        date(2027, 8, 10),
        date(2027, 10, 12),
        date(2027, 12, 14),
    ]
    for o in found:
        assert o.starts_at.weekday() == 1 and 8 <= o.starts_at.day <= 14  # second Tuesday
        assert (o.starts_at.hour, o.starts_at.minute) == (14, 0)
        assert o.starts_at.utcoffset() == timedelta(hours=9)
        assert o.ends_at - o.starts_at == timedelta(hours=2)
    assert found[2].key == "e@20270608"
    assert schedule.count(spec, SEOUL) == 6


def test_rules_are_expanded_on_the_local_wall_clock():
    """A zone with daylight saving: 19:00 stays 19:00 across the change."""
    new_york = ZoneInfo("America/New_York")
    spec = event(
        starts_at="2027-03-01T19:00:00-05:00",
        ends_at="2027-03-01T21:00:00-05:00",
        rrule="FREQ=WEEKLY;COUNT=3",
    )
    found = list(schedule.occurrences(spec, new_york))
    assert [o.starts_at.hour for o in found] == [19, 19, 19]
    assert [o.starts_at.utcoffset() for o in found] == [
        timedelta(hours=-5),
        timedelta(hours=-5),
        timedelta(hours=-4),  # 14 March 2027: daylight saving time has begun
    ]


def test_weekdays_only_and_the_demo_consultation_week():
    spec = schedule.get_event(demo(), "consultation-week")
    days = [o.day for o in schedule.occurrences(spec, SEOUL)]
    assert days == [date(2027, 1, d) for d in (19, 20, 21, 22, 25)]  # skips the weekend


def test_after_keeps_the_running_occurrence_and_drops_finished_ones():
    spec = event(rrule="FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;COUNT=6")
    during = datetime(2027, 4, 13, 15, 0, tzinfo=SEOUL)  # the April session is running
    assert schedule.next_occurrence(spec, during, SEOUL).day == date(2027, 4, 13)
    just_after = datetime(2027, 4, 13, 16, 0, tzinfo=SEOUL)  # it ended exactly now
    assert schedule.next_occurrence(spec, just_after, SEOUL).day == date(2027, 6, 8)
    assert schedule.next_occurrence(spec, datetime(2028, 1, 1, tzinfo=SEOUL), SEOUL) is None
    assert schedule.last_occurrence(spec, SEOUL).day == date(2027, 12, 14)


def test_single_events_and_open_ended_rules():
    single = event()
    assert [o.day for o in schedule.occurrences(single, SEOUL)] == [date(2027, 2, 9)]
    assert schedule.count(single, SEOUL) == 1
    weekly = event(rrule="FREQ=WEEKLY")  # no COUNT or UNTIL: goes on forever
    assert schedule.count(weekly, SEOUL) is None
    now = datetime(2027, 2, 9, tzinfo=SEOUL)
    within = list(schedule.occurrences(weekly, SEOUL, after=now, until=now + schedule.HORIZON))
    assert len(within) == 53  # a year of Tuesdays, both ends included
    assert len(list(schedule.occurrences(weekly, SEOUL, limit=10))) == 10


def test_until_in_utc():
    spec = event(rrule="FREQ=WEEKLY;UNTIL=20270223T050000Z")  # 23 Feb 14:00 Seoul
    assert [o.day for o in schedule.occurrences(spec, SEOUL)] == [
        date(2027, 2, 9),
        date(2027, 2, 16),
        date(2027, 2, 23),
    ]


def test_keys_resolve_to_real_occurrences_only():
    assert schedule.parse_key("secretary-training@20270413") == (
        "secretary-training",
        date(2027, 4, 13),
    )
    for bad in ("secretary-training@20270230", "x@2027041", "@20270413", "a b@20270413", ""):
        assert schedule.parse_key(bad) is None
    found = schedule.find(demo(), "secretary-training@20270413", SEOUL)
    assert found is not None and found.starts_at == datetime(2027, 4, 13, 14, tzinfo=SEOUL)
    assert schedule.find(demo(), "secretary-training@20270414", SEOUL) is None  # no session
    assert schedule.find(demo(), "atlantis@20270413", SEOUL) is None


def test_upcoming_from_the_test_clock_in_time_order():
    found = schedule.upcoming(demo(), TEST_NOW, SEOUL)
    assert found[0].key == "village-festival-2026@20261212"
    assert [o.starts_at for o in found] == sorted(o.starts_at for o in found)
    assert all(o.ends_at > TEST_NOW for o in found)
    keys = {o.key for o in found}
    assert "secretary-training@20271214" in keys  # finite rules: every later session
    assert "network-party-saeteo@20271113" in keys


def test_dong_and_kind_filters():
    everything = schedule.upcoming(demo(), TEST_NOW, SEOUL)
    hanbit1 = schedule.upcoming(demo(), TEST_NOW, SEOUL, dong="hanbit1")
    saeteo = schedule.upcoming(demo(), TEST_NOW, SEOUL, dong="saeteo")
    in_hanbit1 = {o.event.id for o in hanbit1}
    assert "autonomy-plan-workshop-hanbit1" in in_hanbit1
    assert "network-party-saeteo" not in in_hanbit1
    assert "grant-info-session" in in_hanbit1  # district-wide: always shown
    assert {o.event.dong for o in saeteo} <= {None, "saeteo"}
    assert len(hanbit1) < len(everything) and len(saeteo) < len(everything)
    trainings = schedule.upcoming(demo(), TEST_NOW, SEOUL, kind="training")
    assert trainings and {o.event.kind for o in trainings} == {"training"}
    festivals_in_saeteo = schedule.upcoming(demo(), TEST_NOW, SEOUL, dong="saeteo", kind="festival")
    assert [o.event.id for o in festivals_in_saeteo] == [
        "village-festival-2026",
        "network-party-saeteo",
    ]


def test_later_dates():
    found = schedule.find(demo(), "secretary-training@20270209", SEOUL)
    later = schedule.later_dates(found, SEOUL, limit=2)
    assert [o.day for o in later] == [date(2027, 4, 13), date(2027, 6, 8)]


def test_open_ended_rules_are_listed_up_to_the_horizon():
    doc = demo().model_dump(exclude_none=True)
    doc["events"] = [
        event(id="weekly-walk", rrule="FREQ=WEEKLY;BYDAY=SA").model_dump(exclude_none=True)
    ]
    doc["faq"] = []
    parsed, problems = kb.validate(doc)
    assert parsed is not None, problems
    now = datetime(2027, 3, 1, tzinfo=SEOUL)
    found = schedule.upcoming(parsed, now, SEOUL)
    assert found[0].day == date(2027, 3, 6)
    assert now + schedule.HORIZON - timedelta(days=7) <= found[-1].starts_at
    assert found[-1].starts_at < now + schedule.HORIZON
    short = schedule.upcoming(parsed, now, SEOUL, horizon=timedelta(days=30))
    assert len(short) == 4


def test_the_first_occurrence_counts_even_off_the_rule():
    """starts_at is the first occurrence even when it does not match the rule (an admin
    moved it to the third Tuesday); the rule's own dates follow."""
    spec = event(
        starts_at="2027-02-16T14:00:00+09:00",
        ends_at="2027-02-16T16:00:00+09:00",
        rrule="FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;COUNT=3",
    )
    days = [o.day for o in schedule.occurrences(spec, SEOUL)]
    assert days == [date(2027, 2, 16), date(2027, 4, 13), date(2027, 6, 8), date(2027, 8, 10)]
    synced = event(rrule="FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;COUNT=3")
    assert len(list(schedule.occurrences(synced, SEOUL))) == 3  # not counted twice
