"""A normal (not editable) install of a built wheel speaks Korean and can migrate its
database (issue 9 §4: the catalogs lived outside the package, so an installed bot
silently spoke English).

The wheel is built from a copy of the sources (pip, with build isolation: it fetches the
build backend from the package index), installed with ``--no-deps`` into a fresh virtualenv
whose dependencies come from the running environment through a ``.pth`` line, and used
from a temporary directory so that nothing resolves to this checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["pyproject.toml", "README.md", "bot", "handlers", "models", "migrations", "locales"]
# .mo files are build outputs of `make catalogs`; a clean checkout has none, and the wheel
# must not depend on them.
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "*.egg-info", "*.db")


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path]:
    """(the venv's bin directory, its environment, a scratch working directory)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=IGNORE)
        else:
            shutil.copy2(path, src / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    dist = tmp / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)],
        tmp,
        env,
    )
    (wheel,) = dist.glob("maeul_bot-*.whl")

    target = tmp / "venv"
    # without pip of its own (installing pip into it is most of a venv's cost): the running
    # pip installs into it (``pip --python``)
    venv.EnvBuilder(with_pip=False, symlinks=True).create(target)
    bin_dir = target / "bin"
    py = str(bin_dir / "python")
    venv_site = Path(
        _run([py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp, env).strip()
    )
    # The dependencies, from the running environment, after the venv's own site-packages
    # (a .pth path line adds the directory but does not run the .pth files in it, so the
    # editable install of this checkout stays out).
    (venv_site / "zz_dependencies.pth").write_text(
        "\n".join(p for p in site.getsitepackages() if Path(p) != venv_site) + "\n"
    )
    _run(
        [sys.executable, "-m", "pip", "--python", py, "install", "--no-deps", "--no-index", "-q",
         str(wheel)],
        tmp,
        env,
    )  # fmt: skip
    work = tmp / "work"
    work.mkdir()
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{work / 'maeul.db'}"
    return bin_dir, env, work


CHECK = r"""
import json, sys
from zoneinfo import ZoneInfo
import bot, bot.core.i18n
from bot.core.i18n import Translator
from bot.kb.records import demo_kb_path
from bot.core.migrate import MIGRATIONS_DIR
from bot.core.fonts import korean_font_path
from bot.qa.sino import readings

t = Translator("ko", ZoneInfo("Asia/Seoul"))
en = Translator("en", ZoneInfo("Asia/Seoul"))
print(json.dumps({
    "bot": bot.__file__,
    "main_menu": t._("Main menu"),
    "ballot_yes": t.p_("ballot", "Yes"),
    "plain_cancel": t._("Cancel"),
    "home_dong": t._("Set {dong} as your home dong?", dong="한빛1동"),
    "english": en._("Set {dong} as your home dong?", dong="Hanbit 1-dong"),
    "demo_kb": demo_kb_path().is_file(),
    "migrations": (MIGRATIONS_DIR / "env.py").is_file(),
    "font": bool(korean_font_path() and korean_font_path().is_file()),
    "sino": readings("图书馆", "zh"),
}, ensure_ascii=False))
"""


def test_installed_wheel_speaks_korean(installed):
    bin_dir, env, work = installed
    out = json.loads(_run([str(bin_dir / "python"), "-c", CHECK], work, env))
    assert str(ROOT) not in out["bot"] and "site-packages" in out["bot"], out["bot"]
    assert out["main_menu"] == "처음 메뉴"
    assert out["ballot_yes"] == "찬성"
    assert out["plain_cancel"] == "취소"
    assert out["home_dong"] == "한빛1동을 우리 동으로 설정할까요?"
    assert out["english"] == "Set Hanbit 1-dong as your home dong?"
    assert out["demo_kb"] and out["migrations"] and out["font"], out
    # the table of Sino-Korean readings ships in the wheel (and simplified 图 is 圖)
    assert out["sino"] == ["도서관"], out


def test_installed_wheel_migrates_and_answers(installed):
    bin_dir, env, work = installed
    maeul = str(bin_dir / "maeul")
    _run([maeul, "db", "upgrade"], work, env)
    assert (work / "maeul.db").stat().st_size > 0
    code = "from bot.kb.records import demo_kb_path; print(demo_kb_path())"
    demo = _run([str(bin_dir / "python"), "-c", code], work, env).strip()
    assert str(ROOT) not in demo
    _run([maeul, "kb", "import", demo], work, env)
    ko = json.loads(
        _run([maeul, "ask", "이웃만들기 지원사업은 누가 신청할 수 있어요?", "--json"], work, env)
    )
    assert ko["lang"] == "ko"
    assert ko["text"].startswith("이웃만들기 지원사업 신청 자격:"), ko["text"]
    en = json.loads(
        _run([maeul, "ask", "Who can apply for the neighbour-making grant?", "--json"], work, env)
    )
    assert en["text"].startswith("Who can apply for"), en["text"]
