"""Voting codes to hand out: a CSV file and a printable A4 PDF, one card per code with a QR
code of the deep link ``https://t.me/<bot>?start=vote_<code>``.

QR codes come from ``segno`` (pure Python) and are drawn as vector rectangles, so they print
sharply at any size; the PDF (``fpdf2``) embeds only the glyphs it uses of the NanumGothic
font, so Korean prints everywhere.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
from pathlib import Path
from typing import BinaryIO

from bot.assembly.crypto import format_code
from bot.core.fonts import korean_font_path
from bot.core.i18n import Translator

BOT_USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
COLUMNS, ROWS = 3, 4
CARD_W, CARD_H = 66.0, 70.0  # mm
MARGIN_X, MARGIN_Y = (210 - COLUMNS * CARD_W) / 2, (297 - ROWS * CARD_H) / 2
QR_SIZE = 30.0  # mm, quiet zone included


def create_private(path: Path) -> BinaryIO:
    """A new file only its owner can read (0600 from the start: no window in which another
    account could open it), in a directory created 0700 if missing. Never overwrites:
    ``FileExistsError`` if ``path`` exists."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start=vote_{code}"


def codes_csv(codes: list[str], bot_username: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["number", "code", "link"])
    for number, code in enumerate(codes, 1):
        writer.writerow([number, format_code(code), deep_link(bot_username, code)])
    return buf.getvalue()


def _qr_runs(data: str) -> tuple[int, list[tuple[int, int, int]]]:
    """The QR matrix (with a 2-module quiet zone) as horizontal runs (row, start, length)."""
    import segno

    qr = segno.make(data, error="m", micro=False)
    matrix = [list(row) for row in qr.matrix_iter(scale=1, border=2)]
    runs: list[tuple[int, int, int]] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return len(matrix), runs


def codes_pdf(
    codes: list[str],
    *,
    title: str,
    dong: str,
    bot_username: str,
    t: Translator,
    period: str = "",
    phone: str = "",
) -> bytes:
    """Printable cards, 12 per A4 page, cut along the dotted lines. ``period`` (the
    voting window as residents read it) and ``phone`` (whom to call) are printed on every
    card when given: a card travels alone, far from any notice."""
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    font = korean_font_path()
    family = "Helvetica"
    if font is not None:
        pdf.add_font("Nanum", fname=str(font))
        family = "Nanum"
    pdf.set_title(title)
    lines = [
        t._(
            "Scan the QR code with your phone's camera, or open @{bot} in Telegram, "
            "send /vote and type the code.",
            bot=bot_username,
        ),
        t._("The code works once. Keep it private."),
    ]
    if phone:
        lines.append(t._("Questions: {phone}", phone=phone))
    header = f"{title}\n{dong}"
    when = t._("Voting: {period}", period=period) if period else ""
    per_page = COLUMNS * ROWS
    for index, code in enumerate(codes):
        if index % per_page == 0:
            pdf.add_page()
        slot = index % per_page
        x = MARGIN_X + (slot % COLUMNS) * CARD_W
        y = MARGIN_Y + (slot // COLUMNS) * CARD_H
        pdf.set_draw_color(170, 170, 170)
        pdf.set_dash_pattern(dash=1, gap=1)
        pdf.rect(x, y, CARD_W, CARD_H)
        pdf.set_dash_pattern()
        pdf.set_font(family, size=7.5)
        pdf.set_xy(x + 3, y + 2.5)
        pdf.multi_cell(CARD_W - 6, 3.3, header, align="C", max_line_height=3.3)
        size, runs = _qr_runs(deep_link(bot_username, code))
        module = QR_SIZE / size
        qx, qy = x + (CARD_W - QR_SIZE) / 2, y + 10
        pdf.set_fill_color(0, 0, 0)
        for row, start, length in runs:
            pdf.rect(qx + start * module, qy + row * module, length * module, module, style="F")
        pdf.set_font(family, size=14)
        pdf.set_xy(x, qy + QR_SIZE + 0.5)
        pdf.cell(CARD_W, 6, format_code(code), align="C")
        pdf.set_xy(x + 2, qy + QR_SIZE + 7)
        if when:
            points = 6.5  # one line if it fits at a readable size
            pdf.set_font(family, size=points)
            while points > 5.0 and pdf.get_string_width(when) > CARD_W - 5:
                points -= 0.25
                pdf.set_font(family, size=points)
            pdf.multi_cell(CARD_W - 4, 2.9, when, align="C")
            pdf.set_x(x + 2)
        pdf.set_font(family, size=5.8)
        pdf.multi_cell(CARD_W - 4, 2.5, "\n".join(lines), align="C")
        pdf.set_font(family, size=5.5)
        pdf.set_xy(x + 1.5, y + 1.2)
        pdf.cell(12, 2.5, f"#{index + 1}")
    quiet = logging.getLogger("fontTools.subset")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "TSI0 NOT subset": hinting tables fontTools drops
    try:
        return bytes(pdf.output())
    finally:
        quiet.setLevel(level)
