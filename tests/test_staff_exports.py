"""Exports for committees: headers and values in the committee's language, times in the
configured zone; never binary on a terminal."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.assembly.report import results_xlsx
from bot.assembly.service import ItemResult, Results
from bot.cli import app
from bot.core import exports
from models.assembly import VoteMethod
from tests.test_proposals_cli import db, seed  # noqa: F401  (fixture)

SEOUL = ZoneInfo("Asia/Seoul")
runner = CliRunner()


def test_every_label_has_korean_and_english():
    for table in (exports.HEADERS, exports.SHEETS, *exports.VALUES.values()):
        for key, (ko, en) in table.items():
            assert ko.strip() and en.strip(), key
            assert ko != key and "_" not in en, key
    assert exports.header("online_yes", "ko") == "온라인 찬성"
    assert exports.header("online_yes", "en") == "Online: yes"


def _results(method: VoteMethod = VoteMethod.APPROVE_REJECT) -> Results:
    vote = SimpleNamespace(
        assembly_id="hanbit1-2027",
        title={"ko": "한빛1동 주민총회", "en": "Hanbit 1 assembly"},
        method=method,
        max_choices=None,
        opens_at=datetime(2027, 5, 28, 0, 0, tzinfo=UTC),  # 09:00 in Seoul
        closes_at=datetime(2027, 6, 14, 9, 0, tzinfo=UTC),  # 18:00 in Seoul
        quorum_percent=5,
    )
    items = []
    for n, (title, yes, no, approved) in enumerate(
        [("반찬 나눔", 60, 30, True), ("골목 정원", 20, 70, False)], 1
    ):
        item = SimpleNamespace(item_id=f"i{n}", title={"ko": title, "en": title}, budget_krw=100)
        counts = {"yes": yes, "no": no, "abstain": 10}
        items.append(
            ItemResult(item, counts, {"yes": 0, "no": 0, "abstain": 0}, counts, 100,
                       {"yes": float(yes), "no": float(no), "abstain": 10.0}, approved)
        )  # fmt: skip
    turnout = SimpleNamespace(
        online_voters=100, onsite_voters=0, voters=100, eligible_population=1000, percent=10.0
    )
    return Results(vote, turnout, items, quorum_met=True, invalid=0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "lang,sheets,head,verdicts,opened,quorum",
    [
        ("ko", ["결과", "요약"], ("온라인 찬성", "결과"), ["가결", "부결"], "투표 시작", "예"),
        ("en", ["Results", "Summary"], ("Online: yes", "Result"), ["Approved", "Not approved"],
         "Voting opened", "Yes"),
    ],
)  # fmt: skip
def test_results_xlsx_speaks_the_committees_language_and_local_time(
    lang, sheets, head, verdicts, opened, quorum
):
    book = load_workbook(io.BytesIO(results_xlsx(_results(), lang, SEOUL)))
    assert book.sheetnames == sheets
    rows = list(book[sheets[0]].values)
    assert (rows[0][4], rows[0][-1]) == head
    assert not any("_" in str(h) for h in rows[0])
    assert [r[-1] for r in rows[1:]] == verdicts
    summary = {row[0]: row[1] for row in book[sheets[1]].values}
    assert summary[opened] == datetime(2027, 5, 28, 9, 0)  # Seoul wall clock, not UTC
    assert summary[exports.header("closes_at", lang)] == datetime(2027, 6, 14, 18, 0)
    assert book[sheets[1]]["B5"].number_format == "yyyy-mm-dd hh:mm"
    assert summary[exports.header("quorum_met", lang)] == quorum
    assert summary[exports.header("time_zone", lang)] == "Asia/Seoul"
    assert summary[exports.header("method", lang)] == exports.value(
        "method", "approve_reject", lang
    )


def test_proposals_xlsx_in_korean_by_default_and_english_on_request(db, tmp_path):  # noqa: F811
    seed(db)
    args = ["proposals", "export", "--format", "xlsx", "--status", "accepted"]
    result = runner.invoke(app, [*args, "-o", "ko.xlsx"])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(tmp_path / "ko.xlsx").active
    assert sheet.title == "마을의제"
    head, row = list(sheet.values)
    named = dict(zip(head, row, strict=True))
    assert named["상태"] == "채택" and named["공개 여부"] == "공개"
    assert named["동"] == "새터동" and named["제안 일시"] == "2026-11-22 10:00"  # Seoul
    assert "accepted" not in row and "visible" not in row

    result = runner.invoke(app, [*args, "--lang", "en", "-o", "en.xlsx"])
    assert result.exit_code == 0, result.output
    head, row = list(load_workbook(tmp_path / "en.xlsx").active.values)
    named = dict(zip(head, row, strict=True))
    assert named["Status"] == "Accepted" and named["Visibility"] == "Visible"
    assert named["Dong"] == "Saeteo-dong" and named["Theme"] == "Safety"

    result = runner.invoke(app, [*args, "--lang", "ja"])
    assert result.exit_code == 2 and "--lang" in result.output


def test_xlsx_is_never_written_to_a_terminal(db, tmp_path):  # noqa: F811
    seed(db)
    primary, secondary = os.openpty()
    env = {**os.environ, "DATABASE_URL": db, "MAEUL_NOW": "2027-03-05T12:00:00+09:00"}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "bot", "proposals", "export", "--format", "xlsx"],
            stdout=secondary,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env=env,
            timeout=120,
        )
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(primary)
    assert proc.returncode == 0, proc.stderr
    assert b"PK" not in shown  # no zip bytes on the terminal
    written = tmp_path / "proposals-20270305.xlsx"
    assert f"wrote 3 proposals to {written.name}" in proc.stderr.decode()
    assert load_workbook(written).active["H1"].value == "상태"

    # piped (not a terminal): the bytes go to the pipe, for `> file.xlsx`
    piped = subprocess.run(
        [sys.executable, "-m", "bot", "proposals", "export", "--format", "xlsx"],
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert piped.returncode == 0 and piped.stdout.startswith(b"PK")
