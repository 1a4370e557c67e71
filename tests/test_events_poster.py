"""The check-in poster's typed alternative: the command and its code stay on one line."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.events.checkin_qr import Poster, poster_png, typed_lines

KO = "카메라가 안 되면 @{bot}에 ‘/checkin J67UXH’라고 보내 주세요"
EN = "No camera? Send /checkin J67UXH to @{bot}"


@pytest.mark.parametrize("text", [KO, EN])
@pytest.mark.parametrize("bot", ["maeul_bot", "hanbit_maeul_village_bot"])
def test_the_command_and_its_code_are_never_split(text, bot):
    lines = typed_lines(text.format(bot=bot))
    assert any("/checkin J67UXH" in line for line in lines), lines
    assert " ".join(lines).replace("\u00a0", " ") == text.format(bot=bot)  # nothing lost
    assert all("\u00a0" not in line for line in lines)  # drawn as a plain space


def test_the_poster_draws_within_its_width(tmp_path):
    poster = Poster(
        link="https://t.me/maeul_bot?start=checkin_J67UXH",
        code="J67UXH",
        title="가람동 주민 요가 교실",
        when="12월 10일 (목) 오후 7:00 ~ 8:30",
        place="가람동 행정복지센터 3층",
        scan="휴대폰 카메라로 QR 코드를 찍으면 출석이 확인돼요",
        typed=KO.format(bot="hanbit_maeul_village_bot"),
    )
    png = poster_png(poster)
    (tmp_path / "poster.png").write_bytes(png)
    assert Image.open(io.BytesIO(png)).width == 1080
