"""Staff CLI: a dong by its id or its name, one resolver everywhere, errors that list the
valid ids; ``maeul events list``."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core.dongs import UnknownDong, resolve_dong
from models import Event
from models.kb import Dong
from tests.test_events_cli import env as env  # autouse: a fresh CLI database with the demo KB
from tests.test_events_cli import invoke, query

DONGS = [
    Dong(id="hanbit1", name={"ko": "한빛1동", "en": "Hanbit 1-dong"}),
    Dong(id="hanbit2", name={"ko": "한빛2동", "en": "Hanbit 2-dong"}),
    Dong(id="saeteo", name={"ko": "새터동", "en": "Saeteo-dong"}),
]


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("hanbit1", "hanbit1"),
        ("한빛1동", "hanbit1"),
        ("한빛 1동", "hanbit1"),
        ("Hanbit 1-dong", "hanbit1"),
        ("hanbit 2", "hanbit2"),
        ("새터", "saeteo"),
        (" saeteo ", "saeteo"),
    ],
)
def test_resolve_dong_by_id_or_name(typed, expected):
    assert resolve_dong(DONGS, typed).id == expected


def test_an_unknown_or_ambiguous_dong_lists_ids_and_names():
    for typed in ("한빛", "한빛3동"):
        with pytest.raises(UnknownDong) as caught:
            resolve_dong(DONGS, typed)
        message = str(caught.value)
        assert "hanbit1 (한빛1동)" in message and "saeteo (새터동)" in message


def test_commands_take_a_dong_name(tmp_path):
    result = invoke(
        "events", "create", "--id", "walk", "--kind", "meeting", "--title", "동네 산책",
        "--starts-at", "2027-05-01T10:00", "--ends-at", "2027-05-01T12:00",
        "--place", "공원", "--dong", "한빛1동",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (row,) = query(tmp_path, select(Event.dong_id).where(Event.id == "walk"))
    assert row[0] == "hanbit1"

    result = invoke("admin", "role", "add", "77", "staff", "--dong", "Hanbit 1-dong")
    assert result.exit_code == 0, result.output
    assert "77 is now staff of hanbit1" in result.output

    result = invoke("proposals", "config", "새터동")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("saeteo:")

    result = invoke("proposals", "export", "--dong", "새터동")
    assert result.exit_code == 0, result.output

    result = invoke(
        "assembly", "create", "spring", "--dong", "한빛 1동", "--title", "주민총회",
        "--opens", "2027-05-28T09:00", "--closes", "2027-06-14T18:00", "--item", "가",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "command",
    [
        ["events", "create", "--kind", "meeting", "--title", "x", "--starts-at",
         "2027-05-01T10:00", "--ends-at", "2027-05-01T12:00", "--place", "y"],
        ["admin", "role", "add", "77", "staff"],
        ["proposals", "export"],
        ["events", "list"],
        ["assembly", "create", "x", "--title", "t", "--opens", "2027-05-28T09:00",
         "--closes", "2027-06-14T18:00", "--item", "a"],
    ],
)  # fmt: skip
def test_an_unknown_dong_is_refused_with_the_valid_ids(command):
    result = invoke(*command, "--dong", "한빛3동")
    assert result.exit_code == 2, result.output
    assert "unknown dong '한빛3동'" in result.output
    assert "hanbit1 (한빛1동)" in result.output and "dasom (다솜동)" in result.output


def test_events_list_shows_ids_dates_and_changes():
    result = invoke(
        "events", "move", "secretary-training", "--date", "2027-04-13", "--to", "2027-04-20T14:00"
    )
    assert result.exit_code == 0, result.output
    result = invoke("events", "cancel", "consultation-week", "--date", "2027-01-20")
    assert result.exit_code == 0, result.output

    result = invoke("events", "list", "--from", "2027-01-01", "--days", "120")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "2027-01-19 Tue 10:00-17:00\tconsultation-week\tconsultation\tdistrict-wide" in (
        result.output
    )
    (cancelled,) = [line for line in lines if line.startswith("2027-01-20")]
    assert cancelled.endswith("CANCELLED")
    (moved,) = [line for line in lines if "secretary-training" in line and "2027-04" in line]
    assert moved.startswith("2027-04-20 Tue 14:00-16:00")
    assert moved.endswith("moved (was 2027-04-13 14:00)")
    assert [line[:10] for line in lines] == sorted(line[:10] for line in lines)
    assert not any(line.startswith("2026-") for line in lines)

    result = invoke("events", "list", "--dong", "한빛1동", "--from", "2027-03-01", "--days", "30")
    assert result.exit_code == 0, result.output
    wheres = {line.split("\t")[3] for line in result.output.splitlines()}
    assert wheres == {"한빛1동", "district-wide"}

    result = invoke("events", "list", "--from", "2030-01-01")
    assert result.exit_code == 0 and "no events in that window" in result.output
    result = invoke("events", "list", "--from", "next week")
    assert result.exit_code == 2 and "--from: expected a date" in result.output
