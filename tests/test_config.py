import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import ManualClock, OffsetClock, make_clock
from bot.core.config import ConfigError, Settings, load_settings


def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "BOT_TOKEN",
        "TELEGRAM_BASE_URL",
        "DATABASE_URL",
        "DEFAULT_LANGUAGE",
        "TIMEZONE",
        "ADMIN_IDS",
        "KB_PATH",
        "MAEUL_NOW",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(__import__("tempfile").mkdtemp())  # no stray .env


def test_defaults(monkeypatch):
    _clean_env(monkeypatch)
    s = load_settings()
    assert s.bot_token is None
    assert s.database_url == "sqlite+aiosqlite:///maeul.db"
    assert s.default_language == "ko"
    assert s.timezone == "Asia/Seoul"
    assert s.admin_ids == frozenset()
    assert s.now_start is None


def test_values_from_env(monkeypatch):
    _clean_env(monkeypatch)
    monkeypatch.setenv("BOT_TOKEN", "123:ABC")
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("ADMIN_IDS", "1, 2,3")
    monkeypatch.setenv("MAEUL_NOW", "2027-02-12T19:00")
    s = load_settings()
    assert s.bot_token == "123:ABC"
    assert s.telegram_base_url == "http://127.0.0.1:8081/bot"
    assert s.admin_ids == {1, 2, 3}
    # a naive MAEUL_NOW is read in the configured zone
    assert s.now_start == datetime(2027, 2, 12, 19, 0, tzinfo=ZoneInfo("Asia/Seoul"))


def test_env_file(monkeypatch, tmp_path):
    _clean_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("DEFAULT_LANGUAGE=en\nTIMEZONE=Europe/Berlin\n")
    s = load_settings()
    assert (s.default_language, s.timezone) == ("en", "Europe/Berlin")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAEUL_NOW", "next tuesday"),
        ("TIMEZONE", "Mars/Olympus"),
        ("DEFAULT_LANGUAGE", "fr"),
        ("ADMIN_IDS", "12,abc"),
        ("BOT_TOKEN", "not a token"),
        ("DATABASE_URL", "mysql://x"),
        ("TELEGRAM_BASE_URL", "ftp://x"),
    ],
)
def test_bad_value_names_the_variable(monkeypatch, name, value):
    _clean_env(monkeypatch)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert str(err.value).startswith(f"{name}: ")
    assert "\n" not in str(err.value)


def test_cli_bad_config_exits_2_without_traceback(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "MAEUL_NOW": "yesterday-ish", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "MAEUL_NOW" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_offset_clock_starts_at_maeul_now_and_runs_forward():
    tz = ZoneInfo("Asia/Seoul")
    start = datetime(2027, 5, 28, 9, 0, tzinfo=tz)
    clock = make_clock(tz, start)
    assert isinstance(clock, OffsetClock)
    first = clock.now()
    assert start <= first < start + timedelta(seconds=5)
    assert clock.now() >= first
    assert clock.now().tzinfo is not None


def test_manual_clock_moves_only_when_told():
    clock = ManualClock(datetime(2027, 1, 1, tzinfo=ZoneInfo("Asia/Seoul")))
    assert clock.now() == clock.now()
    clock.advance(hours=25)
    assert clock.today().isoformat() == "2027-01-02"


def test_settings_object_is_isolated_from_env_file():
    s = Settings(_env_file=None, default_language="en")  # type: ignore[call-arg]
    assert s.default_language == "en"
