"""The check-in poster: a picture to show or print at the room's door.

Residents scan its QR code with the phone's camera; it opens the bot with
``/start checkin_<CODE>`` (a deep link, ``t.me/<bot>?start=checkin_<CODE>``), which checks
them in exactly as typing ``/checkin <CODE>`` does (:func:`bot.events.attendance.check_in`:
the check-in window, walk-ins, no double counting). The code itself is printed under the
QR for those who would rather type it.

Threat model: the code is no secret from the people in the room — anyone who sees the
poster can check in, from anywhere, during the window; it is an attendance aid, not proof
of presence (staff can correct the list by hand). The QR carries nothing but the public
link: no event id, no person.

Rendered with segno (the QR) and Pillow with the Korean font the charts use, so Korean
titles show as text, not boxes. Nothing here knows Telegram.
"""

from __future__ import annotations

import io
import re
import textwrap
from dataclasses import dataclass

WIDTH = 1080
MARGIN = 72
TYPED_SIZE = 30
_COMMAND_RE = re.compile(r"(/[a-z_]+) (\S)")


@dataclass(frozen=True)
class Poster:
    link: str
    """The deep link the QR code holds."""
    code: str
    title: str
    when: str
    place: str
    scan: str
    """The instruction under the title ("Scan with your phone's camera to check in")."""
    typed: str
    """How to check in without the camera ("or send /checkin K7P2QX to @bot")."""


def _font(size: int):  # type: ignore[no-untyped-def]
    from PIL import ImageFont

    from bot.core.fonts import korean_font_path

    path = korean_font_path()
    if path is None:  # pragma: no cover - koreanize-matplotlib is a dependency
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size)


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=True) or [""]


def typed_lines(text: str) -> list[str]:
    """The typed alternative in lines that fit the poster, measured in its font: a command
    and its code ("/checkin J67UXH") are never split, as a resident copies them together."""
    font = _font(TYPED_SIZE)
    words = _COMMAND_RE.sub("\\1\u00a0\\2", text).split(" ")
    lines: list[str] = []
    for word in words:
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(joined.replace("\u00a0", " ")) <= WIDTH - 2 * MARGIN:
            lines[-1] = joined
        else:
            lines.append(word)
    return [line.replace("\u00a0", " ") for line in lines] or [""]


def poster_png(poster: Poster) -> bytes:
    """The poster as PNG bytes: title, date and place, the QR code, the code in large
    letters, and the typed alternative."""
    import segno
    from PIL import Image, ImageDraw

    qr = segno.make(poster.link, error="m")
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=1, border=0)
    buf.seek(0)
    matrix = Image.open(buf).convert("L")
    side = 620
    scale = max(1, side // matrix.width)
    qr_image = matrix.resize(
        (matrix.width * scale, matrix.height * scale), Image.Resampling.NEAREST
    )

    title_font, text_font, code_font = _font(54), _font(36), _font(88)
    small_font = _font(TYPED_SIZE)
    typed = typed_lines(poster.typed)
    title_lines = _wrap(poster.title, 20)[:3]
    lines_after_title = [*_wrap(poster.when, 34), *_wrap(poster.place, 34)]
    height = (
        MARGIN
        + 70 * len(title_lines)
        + 48 * len(lines_after_title)
        + 40
        + 80
        + qr_image.height
        + 40
        + 110
        + 42 * len(typed)
        + MARGIN
    )
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    y = MARGIN

    def centred(text: str, font, fill: str, step: int) -> None:  # type: ignore[no-untyped-def]
        nonlocal y
        box = draw.textbbox((0, 0), text, font=font)
        draw.text(((WIDTH - (box[2] - box[0])) // 2, y), text, font=font, fill=fill)
        y += step

    for line in title_lines:
        centred(line, title_font, "#111111", 70)
    for line in lines_after_title:
        centred(line, text_font, "#333333", 48)
    y += 40
    centred(poster.scan, text_font, "#1a5fb4", 80)
    quiet = 4 * scale  # the QR's quiet zone, white on white
    image.paste(qr_image, ((WIDTH - qr_image.width) // 2, y))
    y += qr_image.height + quiet + 10
    centred(poster.code, code_font, "#111111", 110)
    for line in typed:
        centred(line, small_font, "#555555", 42)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


__all__ = ["Poster", "poster_png"]
