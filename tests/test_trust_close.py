"""Issue 9 §2: staff can close a vote early, on the real clock.

``close_now`` used to truncate now to whole seconds and then refuse its own closing time as
"in the past" ("The vote must close after it opens."); tests on a frozen clock (whole
seconds) never saw it. These run against :class:`bot.core.clock.Clock`, the system clock.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from bot import assembly as A
from bot.cli import app
from bot.core import users
from bot.core.clock import Clock
from tests.cli_helpers import in_db, set_cli_env
from tests.conftest import SEOUL

runner = CliRunner()
HANBIT = "hanbit1-2027"


# --- the CLI: maeul assembly close ---------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    set_cli_env(monkeypatch, tmp_path, ballot_secret=secrets.token_urlsafe(32), kb=True)
    return tmp_path


def _status_in(tmp_path, assembly_id: str) -> A.Status:
    async def status(session):
        now = Clock(SEOUL).now()
        vote = await A.get_vote(session, assembly_id, now)
        return A.status(vote, now)

    return in_db(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", status)


def test_cli_close_on_the_real_clock(cli_env):
    now = Clock(SEOUL).now()
    result = runner.invoke(
        app,
        [
            "assembly", "create", "garam-now", "--dong", "garam", "--title", "가람동 총회",
            "--opens", (now - timedelta(hours=1)).isoformat(),
            "--closes", (now + timedelta(days=1)).isoformat(),
            "--item", "벽화", "--mode", "open",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _status_in(cli_env, "garam-now") == A.Status.OPEN
    result = runner.invoke(app, ["assembly", "close", "garam-now"])
    assert result.exit_code == 0, result.output
    assert "garam-now is closed" in result.stdout
    # closed at once, not at the next whole second
    assert _status_in(cli_env, "garam-now") == A.Status.CLOSED
    listed = runner.invoke(app, ["assembly", "list"]).stdout
    assert "garam-now\tclosed" in listed


def test_cli_open_then_close_on_the_real_clock(cli_env):
    now = Clock(SEOUL).now()
    result = runner.invoke(
        app,
        [
            "assembly", "create", "garam-later", "--dong", "garam", "--title", "가람동 총회",
            "--opens", (now + timedelta(days=1)).isoformat(),
            "--closes", (now + timedelta(days=2)).isoformat(),
            "--item", "벽화", "--mode", "open",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["assembly", "open", "garam-later"]).exit_code == 0
    assert _status_in(cli_env, "garam-later") == A.Status.OPEN
    result = runner.invoke(app, ["assembly", "close", "garam-later"])
    assert result.exit_code == 0, result.output
    assert _status_in(cli_env, "garam-later") == A.Status.CLOSED


# --- the bot: the staff panel's "Close voting now" -------------------------------------


@pytest.fixture
def clock():  # overrides conftest's ManualClock: the system clock
    return Clock(SEOUL)


BOT_OPTIONS = {"ballot_secret": True}


async def test_staff_button_closes_on_the_real_clock(bot):
    assert type(bot.runtime.clock) is Clock
    async with bot.runtime.sessionmaker() as s:
        await users.grant_role(
            s, 6401, "staff", dong_id="hanbit1", actor="t", now=bot.runtime.clock.utcnow()
        )
        vote = await A.get_vote(s, HANBIT, bot.runtime.clock.now())
        now = bot.runtime.clock.now()
        await A.configure(s, vote, actor="t", now=now, opens_at=now - timedelta(hours=1))
        await s.commit()
    staff = bot.chat(6401, "Staff", "en")
    await staff.send("/assembly")
    await staff.press("2027 Hanbit 1-dong")
    events = await staff.press("Close voting now")
    assert "Close voting" in events[-1].text
    events = await staff.press("Yes")
    answers = [e.text or "" for e in events if e.kind == "callback_answer"]
    assert not any("must close after it opens" in a for a in answers), answers
    assert "closed" in events[-1].text
    async with bot.runtime.sessionmaker() as s:
        vote = await A.get_vote(s, HANBIT, bot.runtime.clock.now())
        assert A.status(vote, bot.runtime.clock.now()) == A.Status.CLOSED
    assert not bot.errors
