"""``maeul assembly …`` as staff use it (in-process through typer's runner, on SQLite)."""

from __future__ import annotations

import csv
import io
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot import assembly as A
from bot.assembly.crypto import Keyring
from bot.core.clock import ManualClock
from models import Ballot
from tests import cli_helpers
from tests.cli_helpers import invoke, set_cli_env
from tests.test_assembly_support import AFTER, DURING, cast_as, make_user

SECRET = secrets.token_urlsafe(32)


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    set_cli_env(monkeypatch, tmp_path, now=DURING.isoformat(), ballot_secret=SECRET, kb=True)


def in_db(tmp_path: Path, work):
    """Run ``work(session)`` on the CLI's database (what voters do through the bot)."""
    return cli_helpers.in_db(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", work)


def issue_codes(assembly_id: str, count: int, out: str, bot_username: str = "maeul_bot"):
    """``maeul assembly codes``: ``count`` codes for ``assembly_id`` into ``out``."""
    return invoke(
        "assembly", "codes", assembly_id, "--count", str(count), "--out", out,
        "--bot-username", bot_username,
    )  # fmt: skip


def vote_with_codes(tmp_path, codes: list[str], ballots: list[str]) -> None:
    keyring = Keyring(SECRET)
    clock = ManualClock(DURING)

    async def work(session):
        vote = await A.get_vote(session, "hanbit1-2027", clock.now())
        for n, (code, choices) in enumerate(zip(codes, ballots, strict=False)):
            user = await make_user(session, 9000 + n, clock.utcnow())
            await A.redeem_code(session, keyring, user, code, clock.now())
            await cast_as(session, keyring, vote, user, choices, clock.now())

    in_db(tmp_path, work)


def test_codes_csv_and_printable_sheet(tmp_path):
    result = issue_codes("hanbit1-2027", 14, "codes.csv", "@maeul_bot")
    assert result.exit_code == 0, result.output
    assert "wrote 14 codes to codes.csv and codes.pdf" in result.stdout
    rows = list(csv.DictReader(io.StringIO((tmp_path / "codes.csv").read_text())))
    assert len(rows) == 14 and len({r["code"] for r in rows}) == 14
    code = rows[0]["code"].replace("-", "")
    assert rows[0]["link"] == f"https://t.me/maeul_bot?start=vote_{code}"
    pdf = (tmp_path / "codes.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") == 2  # 12 cards a page
    again = issue_codes("hanbit1-2027", 1, "codes.csv")
    assert again.exit_code == 2 and "never overwritten" in again.output
    list_out = invoke("assembly", "list")
    assert "hanbit1-2027\tdraft" not in list_out.stdout  # MAEUL_NOW is during the vote
    assert "hanbit1-2027\topen" in list_out.stdout and "14 codes" in list_out.stdout
    if shutil.which("pdftoppm") and shutil.which("zbarimg"):  # the QR codes really scan
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "150",
                "-f",
                "1",
                "-l",
                "1",
                str(tmp_path / "codes.pdf"),
                str(tmp_path / "page"),
            ],
            check=True,
        )
        scanned = subprocess.run(
            ["zbarimg", "-q", str(tmp_path / "page-1.png")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert f"QR-Code:{rows[0]['link']}" in scanned.stdout.splitlines()


def test_codes_need_the_ballot_secret_and_a_bot_username(monkeypatch):
    monkeypatch.delenv("BALLOT_SECRET")
    result = issue_codes("hanbit1-2027", 1, "c.csv")
    assert result.exit_code == 2 and "BALLOT_SECRET is not set" in result.output
    monkeypatch.setenv("BALLOT_SECRET", SECRET)
    result = invoke("assembly", "codes", "hanbit1-2027", "--count", "1", "--out", "c.csv")
    assert result.exit_code == 2 and "--bot-username" in result.output
    result = issue_codes("nope", 1, "c.csv")
    assert result.exit_code == 2 and "no assembly 'nope'" in result.output


def test_onsite_results_and_audit(tmp_path, monkeypatch):
    invoke("assembly", "set", "hanbit1-2027", "--population", "100")
    assert issue_codes("hanbit1-2027", 6, "c.csv").exit_code == 0
    codes = [r["code"] for r in csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text()))]
    vote_with_codes(tmp_path, codes[:3], ["yyyyyyy", "nnnnnnn", "yaaaaaa"])

    result = invoke("assembly", "onsite", "hanbit1-2027", "--mark", codes[3], "--mark", codes[0])
    assert result.exit_code == 1
    assert "marked 1 codes as used on site" in result.stdout
    assert f"{codes[0]}: its holder has already voted online" in result.stdout
    (tmp_path / "marks.txt").write_text(codes[4] + "\n")
    assert invoke("assembly", "onsite", "hanbit1-2027", "--mark-file", "marks.txt").exit_code == 0

    result = invoke("assembly", "results", "hanbit1-2027")
    assert result.exit_code == 1 and "Results are shown after the vote closes" in result.output
    monkeypatch.setenv("MAEUL_NOW", AFTER.isoformat())
    result = invoke("assembly", "results", "hanbit1-2027", "--format", "csv")
    assert result.exit_code == 0, result.output  # closed, but no paper totals yet
    assert "WARNING: Provisional: the paper ballots of 2 on-site voters" in result.stderr
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {(row["approved"], row["provisional"]) for row in table} == {("", "True")}
    (tmp_path / "paper.csv").write_text("item,yes,no,abstain\nside-dish-sharing,9,0,0\n")
    result = invoke("assembly", "onsite", "hanbit1-2027", "--file", "paper.csv")
    assert result.exit_code == 1 and "missing items: alley-garden" in result.output
    paper = "item,yes,no,abstain\n" + "\n".join(f"{n},1,1,0" for n in range(1, 8)) + "\n"
    (tmp_path / "paper.csv").write_text(paper)
    result = invoke("assembly", "onsite", "hanbit1-2027", "--file", "paper.csv")
    assert result.exit_code == 0, result.output

    result = invoke("assembly", "results", "hanbit1-2027", "--format", "csv")
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert table[0]["item_id"] == "side-dish-sharing"
    assert (table[0]["online_yes"], table[0]["onsite_yes"], table[0]["total_yes"]) == (
        "2",
        "1",
        "3",
    )
    assert table[0]["yes_percent"] == "60.0" and table[0]["approved"] == "True"
    assert table[1]["total_no"] == "2" and table[1]["approved"] == "False"
    assert table[0]["provisional"] == "False" and not result.stderr

    result = invoke("assembly", "results", "hanbit1-2027", "--format", "xlsx", "--out", "r.xlsx")
    assert result.exit_code == 0, result.output
    assert "Turnout: 5 voters (3 online, 2 on site)" in result.stdout
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "r.xlsx")  # in Korean: see tests/test_staff_exports.py
    assert book["결과"]["B2"].value == "side-dish-sharing"
    summary = {row[0].value: row[1].value for row in book["요약"].iter_rows()}
    assert summary["투표자 합계"] == 5 and summary["투표율(%)"] == 5.0
    assert summary["정족수 충족"] == "예"

    result = invoke("assembly", "audit", "hanbit1-2027", "--ballots", "opened.csv")
    assert result.exit_code == 0, result.output
    assert "3 ballots stored, 3 counted" in result.stdout and "OK:" in result.stdout
    opened = (tmp_path / "opened.csv").read_text().splitlines()
    assert opened[0].startswith("ballot,side-dish-sharing,alley-garden")
    assert sorted(line.split(",", 1)[1] for line in opened[1:]) == [
        ",".join("nnnnnnn"),
        ",".join("yaaaaaa"),
        ",".join("yyyyyyy"),
    ]

    async def tamper(session):
        ballot = (await session.execute(select(Ballot).limit(1))).scalar_one()
        sealed = bytes([ballot.sealed[0] ^ 1]) + ballot.sealed[1:]
        await session.execute(update(Ballot).where(Ballot.id == ballot.id).values(sealed=sealed))

    in_db(tmp_path, tamper)
    result = invoke("assembly", "audit", "hanbit1-2027")
    assert result.exit_code == 1
    assert "TAMPERING OR DAMAGE" in result.output and "fails authentication" in result.output


def test_create_configure_and_run_an_assembly(tmp_path, monkeypatch):
    monkeypatch.setenv("MAEUL_NOW", "2027-04-01T10:00:00+09:00")
    result = invoke(
        "assembly",
        "create",
        "garam-2027",
        "--dong",
        "garam",
        "--title",
        "가람동 총회",
        "--opens",
        "2027-05-01T09:00",
        "--closes",
        "2027-05-10T18:00",
        "--method",
        "choose_up_to",
        "--max-choices",
        "2",
        "--item",
        "공원 정비|3000000",
        "--item",
        "벽화",
        "--mode",
        "open",
    )
    assert result.exit_code == 0, result.output
    assert "created garam-2027 with 2 items" in result.stdout
    assert invoke("assembly", "add-item", "garam-2027", "--title", "도서관").exit_code == 0
    result = invoke("assembly", "set", "garam-2027", "--no-revote", "--quorum", "5")
    assert result.stdout.strip() == "revoting = False, quorum_percent = 5"
    bad = invoke(
        "assembly",
        "create",
        "hanbit1-2027",
        "--dong",
        "garam",
        "--title",
        "x",
        "--opens",
        "2027-05-01T09:00",
        "--closes",
        "2027-05-10T18:00",
    )
    assert bad.exit_code == 1 and "already exists" in bad.output
    bad = issue_codes("garam-2027", 1, "c.csv")
    assert bad.exit_code == 1 and "open mode" in bad.output
    assert invoke("assembly", "open", "garam-2027").exit_code == 0
    listed = invoke("assembly", "list").stdout
    assert "garam-2027\topen\tgaram" in listed and "choose_up_to (max 2)" in listed
    assert invoke("assembly", "close", "garam-2027").exit_code == 0
    result = invoke("assembly", "add-item", "garam-2027", "--title", "늦은 안건")
    assert result.exit_code == 1 and "can no longer change" in result.output
