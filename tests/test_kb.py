"""Knowledge base: validation messages, YAML loading, import/re-import/archive, export."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

import models.kb  # noqa: F401  (registers the kb_* tables)
from bot.kb.records import (
    ImportReport,
    KBLoadError,
    demo_kb_path,
    dump_yaml,
    export_kb,
    import_kb,
    kb_is_empty,
    load_and_validate,
    load_file,
    load_text,
    rrule_problem,
    validate,
)
from models.base import Base
from models.kb import Assembly, AssemblyItem, Event, Grant, Region

Doc = dict[str, Any]
Sessions = async_sessionmaker[AsyncSession]


# --- fixtures -----------------------------------------------------------------------


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[Sessions]:
    """A fresh SQLite database with every table; foreign keys enforced as on PostgreSQL."""
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'kb.db'}")

    @event.listens_for(engine.sync_engine, "connect")
    def _foreign_keys(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


@pytest.fixture
def demo() -> Doc:
    return load_file(demo_kb_path())


async def run_import(sessions: Sessions, doc: Doc) -> ImportReport:
    kb, problems = validate(doc)
    assert problems == []
    assert kb is not None
    async with sessions() as session, session.begin():
        return await import_kb(session, kb)


def problems_of(doc: object) -> list[str]:
    kb, problems = validate(doc)
    assert (kb is None) == bool(problems)
    return problems


# --- the demo -----------------------------------------------------------------------


def test_demo_validates_without_problems(demo: Doc) -> None:
    kb, problems = validate(demo)
    assert problems == []
    assert kb is not None
    assert kb.region.id == "hanbit-gu"
    assert (len(kb.dongs), len(kb.categories), len(kb.grants)) == (10, 10, 12)
    assert (len(kb.faq), len(kb.events), len(kb.assemblies)) == (15, 17, 2)
    # texts with commas survive in full (an unquoted comma inside {...} would cut them)
    assert kb.events[0].audience.as_dict() == {
        "ko": "마을공동체·주민자치회 참여자와 주민 누구나",
        "en": "Village groups, council members and all residents",
    }
    assert kb.assemblies[0].items[4].description.get("en") == "A quarterly newspaper, 2,000 copies."


def test_demo_path_is_inside_the_package() -> None:
    path = demo_kb_path()
    assert path.is_file()
    assert path.parent.parent == Path(__file__).resolve().parent.parent / "bot" / "kb"


# --- one broken thing at a time -----------------------------------------------------


def _set(path: str, value: object) -> Callable[[Doc], None]:
    """A mutation that sets (or, with value=..., deletes) a dotted path like grants.3.amount."""

    def mutate(doc: Doc) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        target: Any = doc
        for part in parents:
            target = target[part]
        if value is ...:
            del target[last]
        else:
            target[last] = value

    return mutate


BROKEN: list[tuple[Callable[[Doc], None], str]] = [
    (_set("grants.3.amount.max_krw", "1백만 원"), "grants[3].amount.max_krw: expected an integer"),
    (_set("grants.3.amount.max_krw", 1.5), "grants[3].amount.max_krw: expected an integer"),
    (_set("grants.3.amount.max_krw", True), "grants[3].amount.max_krw: expected an integer"),
    (_set("grants.3.amount.max_krw", -1), "grants[3].amount.max_krw: must be at least 0"),
    (
        _set("grants.3.amount.max_krw", 50_000_000),
        "grants[3].amount.max_krw: must not exceed total_krw (4000000)",
    ),
    (_set("grants.0.amout", {}), "grants[0].amout: unknown field (did you mean 'amount'?)"),
    (
        _set("events.2.registration.capcity", 3),
        "events[2].registration.capcity: unknown field (did you mean 'capacity'?)",
    ),
    (_set("grnats", []), "grnats: unknown field (did you mean 'grants'?)"),
    (_set("grants.1.summary.ko", ...), "grants[1].summary.ko: required"),
    (_set("grants.1.summary.ko", "  "), "grants[1].summary.ko: must not be empty"),
    (_set("grants.1.summary.en", 3), "grants[1].summary.en: expected a string (put it in quotes)"),
    (_set("grants.1.summary.english", "x"), "grants[1].summary: unknown language code 'english'"),
    (
        _set("grants.1.summary", {"ko": "모임", "en": "groups", "not individuals": None}),
        "grants[1].summary: unknown language code 'not individuals' "
        "(a comma splits unquoted text in {...}: put the text in quotes)",
    ),
    (
        _set("dongs.0.name", "한빛1동"),
        "dongs[0].name: expected a localized text such as {ko: ..., en: ...}",
    ),
    (_set("grants.0.name", ...), "grants[0].name: required"),
    (_set("region", ...), "region: required"),
    (_set("version", 2), "version: expected 1"),
    (_set("version", True), "version: expected an integer"),
    (_set("dongs", {"hanbit1": "한빛1동"}), "dongs: expected a list"),
    (
        _set("dongs.9.id", "Dasom dong"),
        "dongs[9].id: expected an id of lowercase letters, digits, '-' and '_'",
    ),
    (
        _set("region.timezone", "Asia/Seol"),
        "region.timezone: unknown time zone 'Asia/Seol' (expected an IANA name such as Asia/Seoul)",
    ),
    (
        _set("region.contact.email", "maeul at hanbit"),
        "region.contact.email: expected an e-mail address",
    ),
    (
        _set("grants.0.contact.phone", 25550141),
        "grants[0].contact.phone: expected a string (put it in quotes)",
    ),
    (
        lambda d: d["grants"][2]["categories"].append("spaces"),
        "grants[2].categories[3]: unknown category 'spaces' (did you mean 'space'?)",
    ),
    (
        _set("grants.1.rules.prior_grant_required", "neighbor-making"),
        "grants[1].rules.prior_grant_required: unknown grant 'neighbor-making' "
        "(did you mean 'neighbour-making'?)",
    ),
    (
        _set("grants.1.rules.prior_grant_required", "community-growth"),
        "grants[1].rules.prior_grant_required: a grant cannot require itself",
    ),
    (
        _set("grants.6.rules.max_age", 17),
        "grants[6].rules.max_age: must not be less than min_age (18)",
    ),
    (
        _set("grants.0.application.closes", date(2027, 1, 1)),
        "grants[0].application.closes: must not be before opens (2027-01-18)",
    ),
    (
        _set("grants.0.application.result_on", date(2027, 2, 11)),
        "grants[0].application.result_on: must not be before closes (2027-02-12)",
    ),
    (
        _set("grants.0.application.opens", "18/01/2027"),
        "grants[0].application.opens: expected an ISO date (YYYY-MM-DD)",
    ),
    (
        _set("grants.0.application.opens", 20270118),
        "grants[0].application.opens: expected an ISO date (YYYY-MM-DD)",
    ),
    (
        _set("grants.0.application.opens", datetime(2027, 1, 18, 9)),
        "grants[0].application.opens: expected an ISO date (YYYY-MM-DD)",
    ),
    (
        _set("grants.0.application.opens", "2027-02-30"),
        "grants[0].application.opens: no such date: 2027-02-30",
    ),
    (_set("grants.0.application.opens", "2027-01-18"), None),  # a quoted ISO date is fine
    (
        _set("events.0.starts_at", datetime(2026, 12, 12, 13, 0)),
        "events[0].starts_at: missing UTC offset (e.g. +09:00)",
    ),
    (
        _set("events.0.starts_at", "2026-12-12T13:00:00"),
        "events[0].starts_at: missing UTC offset (e.g. +09:00)",
    ),
    (
        _set("events.0.starts_at", "12 Dec 2026 1pm"),
        "events[0].starts_at: expected an ISO datetime with offset (YYYY-MM-DDTHH:MM:SS+09:00)",
    ),
    (_set("events.0.starts_at", "2026-12-12T13:00:00+09:00"), None),
    (
        _set("events.0.ends_at", datetime.fromisoformat("2026-12-12T13:00:00+09:00")),
        "events[0].ends_at: must be after starts_at",
    ),
    (
        _set("events.0.kind", "workshop"),
        "events[0].kind: expected one of training, meeting, assembly, forum, consultation, "
        "festival",
    ),
    (
        _set("events.3.rrule", "FREQ=MONTHLYY;COUNT=6"),
        "events[3].rrule: invalid rrule: FREQ: unknown frequency 'MONTHLYY' "
        "(expected one of SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY)",
    ),
    (
        _set("events.3.rrule", "FREQ=MONTHLY;COUNT=6;UNTIL=20271231T150000Z"),
        "events[3].rrule: invalid rrule: COUNT and UNTIL cannot both be given",
    ),
    (_set("events.3.rrule", "INTERVAL=2"), "events[3].rrule: invalid rrule: FREQ is required"),
    (_set("events.3.survey", "yes"), "events[3].survey: expected true or false"),
    (
        _set("events.2.registration.capacity", 0),
        "events[2].registration.capacity: must be at least 1",
    ),
    (_set("events.8.dong", "downtown"), "events[8].dong: unknown dong 'downtown'"),
    (
        lambda d: d["events"][1]["related_grants"].append("youth-ideas"),
        "events[1].related_grants[5]: unknown grant 'youth-ideas' (did you mean 'youth-idea'?)",
    ),
    (
        _set("faq.0.related", ["no-such-thing"]),
        "faq[0].related[0]: unknown grant or event 'no-such-thing'",
    ),
    (_set("faq.4.related", ["accounting-class", "village-space"]), None),  # events and grants
    (
        _set("grants.4.id", "neighbour-making"),
        "grants[4].id: duplicate id 'neighbour-making' (first at grants[0])",
    ),
    (
        _set("assemblies.0.items.3.id", "alley-garden"),
        "assemblies[0].items[3].id: duplicate id 'alley-garden' (first at assemblies[0].items[1])",
    ),
    (
        _set("assemblies.1.max_choices", ...),
        "assemblies[1].max_choices: required when method is choose_up_to",
    ),
    (
        _set("assemblies.1.max_choices", 9),
        "assemblies[1].max_choices: must not exceed the number of items (5)",
    ),
    (
        _set("assemblies.0.max_choices", 2),
        "assemblies[0].max_choices: only allowed when method is choose_up_to",
    ),
    (
        _set("assemblies.0.method", "ranked"),
        "assemblies[0].method: expected one of approve_reject, choose_up_to",
    ),
    (_set("assemblies.0.items", []), "assemblies[0].items: must have at least 1 item"),
    (_set("assemblies.0.quorum_percent", 101), "assemblies[0].quorum_percent: must be at most 100"),
    (
        _set("assemblies.0.items.1.category", "garden"),
        "assemblies[0].items[1].category: unknown category 'garden'",
    ),
    (
        _set("assemblies.0.closes_at", datetime.fromisoformat("2027-05-01T09:00:00+09:00")),
        "assemblies[0].closes_at: must be after opens_at",
    ),
    (
        _set("assemblies.1.dong", "saeteo-dong"),
        "assemblies[1].dong: unknown dong 'saeteo-dong' (did you mean 'saeteo'?)",
    ),
    (_set("faq", None), None),  # an empty section written as `faq:`
]


@pytest.mark.parametrize(("mutate", "expected"), BROKEN)
def test_each_problem_has_its_place_and_message(
    demo: Doc, mutate: Callable[[Doc], None], expected: str | None
) -> None:
    mutate(demo)
    assert problems_of(demo) == ([expected] if expected else [])


def test_not_a_mapping() -> None:
    assert problems_of(["version", 1]) == [
        "document: expected a mapping with version, region, dongs, …"
    ]


def test_all_problems_are_reported_at_once_in_document_order(demo: Doc) -> None:
    demo["version"] = "1"
    demo["region"]["timezone"] = "Seoul"
    demo["categories"][1]["name"] = {"en": "Climate"}
    demo["grants"][3]["amount"]["max_krw"] = "one million"  # grant 3 fails type validation …
    demo["grants"][3]["categories"] = ["no-such-category"]  # … its references are still checked
    demo["grants"][5]["categories"] = ["spaces"]
    demo["grants"][7]["application"]["closes"] = date(2027, 2, 1)
    demo["grants"][11]["id"] = "alley-making"
    demo["faq"][2]["qestion"] = demo["faq"][2].pop("question")
    demo["events"][0]["starts_at"] = datetime(2026, 12, 12, 13, 0)
    demo["events"][3]["rrule"] = "FREQ=MONTHLY;BYDAY=2XX"
    demo["events"][5]["dong"] = "atlantis"
    demo["assemblies"][1]["max_choices"] = 6
    demo["assemblies"][1]["items"][2]["budget_krw"] = "3백만"
    demo["assemblies"][1]["items"][3]["category"] = "economic"

    assert problems_of(demo) == [
        "version: expected an integer",
        "region.timezone: unknown time zone 'Seoul' (expected an IANA name such as Asia/Seoul)",
        "categories[1].name.ko: required",
        "grants[3].categories[0]: unknown category 'no-such-category'",
        "grants[3].amount.max_krw: expected an integer",
        "grants[5].categories[0]: unknown category 'spaces' (did you mean 'space'?)",
        "grants[7].application.closes: must not be before opens (2027-02-15)",
        "grants[11].id: duplicate id 'alley-making' (first at grants[2])",
        "faq[2].question: required",
        "faq[2].qestion: unknown field (did you mean 'question'?)",
        "events[0].starts_at: missing UTC offset (e.g. +09:00)",
        "events[3].rrule: invalid rrule: BYDAY: '2XX' is not a weekday such as MO, 2TU or -1FR",
        "events[5].dong: unknown dong 'atlantis'",
        "assemblies[1].max_choices: must not exceed the number of items (5)",
        "assemblies[1].items[2].budget_krw: expected an integer",
        "assemblies[1].items[3].category: unknown category 'economic' (did you mean 'economy'?)",
    ]


def test_checks_run_on_valid_parts_of_a_broken_assembly(demo: Doc) -> None:
    demo["assemblies"][1]["max_choices"] = 6  # whole assembly still valid by type
    demo["assemblies"][0]["title"] = "총회"  # assembly 0 broken …
    demo["assemblies"][0]["items"][0]["category"] = "kare"  # … its items' references checked
    assert problems_of(demo) == [
        "assemblies[0].title: expected a localized text such as {ko: ..., en: ...}",
        "assemblies[0].items[0].category: unknown category 'kare' (did you mean 'care'?)",
        "assemblies[1].max_choices: must not exceed the number of items (5)",
    ]


# --- recurrence rules ---------------------------------------------------------------


def test_demo_rrules_are_valid(demo: Doc) -> None:
    rules = [e["rrule"] for e in demo["events"] if "rrule" in e]
    assert len(rules) == 9
    assert [rrule_problem(rule) for rule in rules] == [None] * len(rules)


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20271231T145959Z", None),
        ("freq=yearly;bymonth=5;byday=-1sa", None),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", None),
        ("", "empty rule"),
        ("RRULE:FREQ=DAILY", "write the rule without the 'RRULE:' prefix"),
        ("FREQ=DAILY;;COUNT=2", "empty part (a doubled or trailing ';')"),
        ("FREQ=DAILY;COUNT", "'COUNT' is not NAME=VALUE"),
        ("FREQ=DAILY;EVERY=2", "unknown part 'EVERY'"),
        ("FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice"),
        ("FREQ=DAILY;COUNT=0", "COUNT: '0' is not a positive whole number"),
        ("FREQ=DAILY;INTERVAL=-2", "INTERVAL: '-2' is not a positive whole number"),
        ("FREQ=DAILY;UNTIL=20271231", "UNTIL: expected a UTC date-time such as 20271231T145959Z"),
        ("FREQ=DAILY;UNTIL=20270230T000000Z", "UNTIL: no such date or time: 20270230T000000Z"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY: 0 is out of range ±1..31"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH: 13 is out of range 1..12"),
        ("FREQ=DAILY;BYHOUR=24", "BYHOUR: 24 is out of range 0..23"),
        ("FREQ=MONTHLY;BYDAY=6MO", None),
        (
            "FREQ=MONTHLY;BYDAY=54MO",
            "BYDAY: '54MO': the number must be between 1 and 53 (or -1 and -53)",
        ),
        ("FREQ=WEEKLY;BYDAY=2TU", "numbered weekdays (like 2TU) need FREQ=MONTHLY or FREQ=YEARLY"),
        ("FREQ=MONTHLY;BYWEEKNO=3", "BYWEEKNO is only allowed with FREQ=YEARLY"),
        ("FREQ=WEEKLY;BYMONTHDAY=3", "BYMONTHDAY is not allowed with FREQ=WEEKLY"),
        ("FREQ=DAILY;BYSETPOS=1", "BYSETPOS needs another BY… part"),
        ("FREQ=DAILY;WKST=XX", "WKST: unknown weekday 'XX'"),
    ],
)
def test_rrule_problem(rule: str, problem: str | None) -> None:
    assert rrule_problem(rule) == problem


# --- loading YAML -------------------------------------------------------------------


def test_yaml_syntax_error_is_a_problem_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "kb.yaml"
    path.write_text("version: 1\nregion:\n  id: x\n  name: {ko: 구\n", encoding="utf-8")
    with pytest.raises(KBLoadError) as caught:
        load_file(path)
    [problem] = caught.value.problems
    assert problem.startswith("line 5, column 1: ")
    assert load_and_validate(path) == (None, caught.value.problems)


def test_yaml_indentation_error(tmp_path: Path) -> None:
    path = tmp_path / "kb.yaml"
    path.write_text("version: 1\nregion:\n  id: x\n   name: y\n", encoding="utf-8")
    kb, problems = load_and_validate(path)
    assert kb is None
    assert len(problems) == 1
    assert problems[0].startswith("line 4, column 8: mapping values are not allowed")


def test_duplicate_yaml_keys_are_reported() -> None:
    text = "version: 1\nregion:\n  id: a\n  id: b\ndongs: []\ndongs: []\n"
    with pytest.raises(KBLoadError) as caught:
        load_text(text)
    assert caught.value.problems == [
        "line 4, column 3: duplicate key 'id'",
        "line 6, column 1: duplicate key 'dongs'",
    ]


def test_impossible_unquoted_date_is_a_validation_problem(demo: Doc) -> None:
    text = dump_yaml(demo).replace("opens: 2027-01-18", "opens: 2027-02-30", 1)
    assert problems_of(load_text(text)) == ["grants[0].application.opens: no such date: 2027-02-30"]


def test_unreadable_or_empty_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    kb, problems = load_and_validate(missing)
    assert kb is None
    assert len(problems) == 1
    assert problems[0].startswith(f"{missing}: cannot read the file")
    (tmp_path / "empty.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert load_and_validate(tmp_path / "empty.yaml") == (None, ["document: the file is empty"])
    (tmp_path / "list.yaml").write_text("- 1\n", encoding="utf-8")
    assert load_and_validate(tmp_path / "list.yaml") == (
        None,
        ["document: expected a mapping with version, region, dongs, …"],
    )


def test_dump_yaml_keeps_korean_readable_and_in_order(demo: Doc) -> None:
    text = dump_yaml(demo)
    assert "한빛구 마을자치센터" in text
    assert "\\u" not in text
    keys = [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]
    assert keys == [
        "version",
        "region",
        "dongs",
        "categories",
        "grants",
        "faq",
        "events",
        "assemblies",
    ]
    assert "starts_at: 2026-12-12T13:00:00+09:00" in text
    assert load_text(text) == demo


def test_dump_yaml_round_trips_awkward_strings(demo: Doc) -> None:
    demo["grants"][0]["summary"]["ko"] = "첫 줄\n둘째 줄: 콜론, 쉼표\n"
    demo["grants"][1]["summary"]["en"] = "  indented\nno final newline"
    demo["grants"][0]["aliases"] += ["yes", "# not a comment", "2027-01-01", "a, b"]
    text = dump_yaml(demo)
    assert "      ko: |\n        첫 줄\n        둘째 줄: 콜론, 쉼표\n" in text
    assert load_text(text) == demo
    assert problems_of(load_text(text)) == []


# --- importing ----------------------------------------------------------------------


async def test_import_then_reimport_is_all_unchanged(sessions: Sessions, demo: Doc) -> None:
    async with sessions() as session:
        assert await kb_is_empty(session)

    first = await run_import(sessions, demo)
    created = {name: s.created for name, s in first.sections.items()}
    assert created == {
        "region": 1,
        "dongs": 10,
        "categories": 10,
        "grants": 12,
        "faq": 15,
        "events": 17,
        "assemblies": 2,
        "assembly_items": 12,
    }
    assert first.total("updated") == first.total("unchanged") == first.total("archived") == 0

    second = await run_import(sessions, demo)
    assert not second.changed
    assert {name: s.unchanged for name, s in second.sections.items()} == created
    assert second.total("created") == second.total("updated") == second.total("archived") == 0

    async with sessions() as session:
        assert not await kb_is_empty(session)
        grant = await session.get(Grant, "youth-idea")
        assert grant is not None
        assert grant.max_krw == 3_000_000
        assert grant.opens_on == date(2027, 3, 2)
        assert grant.rules == {
            "min_members": 2,
            "min_age": 18,
            "max_age": 39,
            "residency": {
                "ko": "한빛구 거주 또는 직장·학교 소재",
                "en": "live, work or study in Hanbit-gu",
            },
        }
        event_row = await session.get(Event, "secretary-training")
        assert event_row is not None
        assert event_row.starts_at == datetime.fromisoformat("2027-02-09T05:00:00+00:00")
        assert event_row.starts_at.tzinfo is not None
        assert event_row.rrule == "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;COUNT=6"
        assert event_row.registration_capacity == 25
        assert event_row.survey is True
        assembly = await session.get(Assembly, "saeteo-2027")
        assert assembly is not None
        assert [item.id for item in assembly.items] == [
            "shared-kitchen",
            "dog-walkers-patrol",
            "kids-climate-class",
            "market-day",
            "care-neighbours",
        ]


async def test_import_flushes_but_does_not_commit(sessions: Sessions, demo: Doc) -> None:
    kb, _ = validate(demo)
    assert kb is not None
    async with sessions() as session:
        await import_kb(session, kb)
        assert await session.scalar(select(func.count()).select_from(Grant)) == 12
        await session.rollback()
    async with sessions() as session:
        assert await kb_is_empty(session)


async def test_editing_a_grant_amount_reports_one_update(sessions: Sessions, demo: Doc) -> None:
    await run_import(sessions, demo)
    demo["grants"][3]["amount"]["max_krw"] = 1_200_000

    report = await run_import(sessions, demo)

    assert report["grants"].updated == 1
    assert report["grants"].unchanged == 11
    assert report.total("updated") == 1
    assert report.total("created") == report.total("archived") == 0
    async with sessions() as session:
        grant = await session.get(Grant, demo["grants"][3]["id"])
        assert grant is not None
        assert grant.max_krw == 1_200_000


async def test_removed_records_are_archived_not_deleted(sessions: Sessions, demo: Doc) -> None:
    await run_import(sessions, demo)
    original = copy.deepcopy(demo)
    removed = demo["events"].pop(4)
    demo["assemblies"][0]["items"].pop()  # repair-cafe

    report = await run_import(sessions, demo)

    assert report["events"].archived == 1
    assert report["events"].archived_ids == [removed["id"]]
    assert report["events"].unchanged == 16  # moving up one place is not a change
    assert report.total("updated") == 0
    assert report["assembly_items"].archived_ids == ["hanbit1-2027/repair-cafe"]
    async with sessions() as session:
        row = await session.get(Event, removed["id"])
        assert row is not None
        assert row.archived is True
        item = await session.get(AssemblyItem, ("hanbit1-2027", "repair-cafe"))
        assert item is not None
        assert item.archived is True
        assert removed["id"] not in [e["id"] for e in (await export_kb(session))["events"]]

    again = await run_import(sessions, demo)  # still gone: nothing archived twice
    assert not again.changed

    back = await run_import(sessions, original)
    assert back["events"].restored_ids == [removed["id"]]
    assert back["assembly_items"].restored_ids == ["hanbit1-2027/repair-cafe"]
    assert back.total("archived") == 0
    async with sessions() as session:
        row = await session.get(Event, removed["id"])
        assert row is not None
        assert row.archived is False


async def test_removing_an_assembly_archives_its_items(sessions: Sessions, demo: Doc) -> None:
    await run_import(sessions, demo)
    demo["assemblies"].pop(1)
    report = await run_import(sessions, demo)
    assert report["assemblies"].archived_ids == ["saeteo-2027"]
    assert report["assembly_items"].archived == 5


async def test_a_new_region_archives_the_old_one(sessions: Sessions, demo: Doc) -> None:
    await run_import(sessions, demo)
    demo["region"]["id"] = "saebit-gu"
    report = await run_import(sessions, demo)
    assert (report["region"].created, report["region"].archived_ids) == (1, ["hanbit-gu"])
    async with sessions() as session:
        active = await session.scalars(select(Region.id).where(Region.archived.is_(False)))
        assert list(active) == ["saebit-gu"]


# --- exporting ----------------------------------------------------------------------


async def test_export_round_trips(sessions: Sessions, demo: Doc) -> None:
    await run_import(sessions, demo)
    async with sessions() as session:
        exported = await export_kb(session)

    kb, problems = validate(exported)
    assert problems == []
    assert kb is not None
    original, _ = validate(demo)
    assert original is not None
    assert kb.model_dump() == original.model_dump()

    text = dump_yaml(exported)
    assert text.startswith("version: 1\n\nregion:\n  id: hanbit-gu\n")
    assert "  - id: neighbour-making\n" in text
    assert "ko: 한빛구 마을자치센터" in text
    reloaded, problems = validate(load_text(text))
    assert problems == []
    assert reloaded is not None
    assert reloaded.model_dump() == original.model_dump()

    report = await run_import(sessions, load_text(text))
    assert not report.changed
    assert report.total("unchanged") == 79


async def test_export_without_a_kb_raises(sessions: Sessions) -> None:
    async with sessions() as session:
        with pytest.raises(LookupError):
            await export_kb(session)


# --- size ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "grants, faq",
    [(100, 500), pytest.param(1000, 5000, marks=pytest.mark.scale)],
    ids=["hundreds", "thousands"],
)
async def test_a_large_kb_imports_and_reimports(
    sessions: Sessions, demo: Doc, grants: int, faq: int
) -> None:
    """Size is checked for behaviour here (created, one changed, one archived); how fast
    it goes is the bench's business (bench/qa.py), never a timed assertion."""
    grant, entry = demo["grants"][0], demo["faq"][0]
    demo["grants"] = [dict(copy.deepcopy(grant), id=f"grant-{i}") for i in range(grants)]
    demo["faq"] = [
        dict(copy.deepcopy(entry), id=f"faq-{i}", related=[f"grant-{i % (grants - 1)}"])
        for i in range(faq)
    ]
    for e in demo["events"]:
        e["related_grants"] = ["grant-1"]

    report = await run_import(sessions, demo)
    assert report["grants"].created == grants
    assert report["faq"].created == faq
    demo["faq"][42]["answer"]["ko"] = "바뀐 답변"
    del demo["grants"][grants - 1]
    report = await run_import(sessions, demo)

    assert report["faq"].updated == 1
    assert report["faq"].unchanged == faq - 1
    assert report["grants"].archived_ids == [f"grant-{grants - 1}"]
