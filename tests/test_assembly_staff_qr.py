"""Reading voting codes from photos of their cards (bot/assembly/qr.py)."""

from __future__ import annotations

import io

import pytest
import segno
from PIL import Image

from bot.assembly.qr import MAX_PIXELS, NotAnImage, code_from_text, codes_in_image
from bot.assembly.sheets import deep_link


def png(*texts: str) -> bytes:
    """The QR codes of ``texts`` side by side on white, as a PNG."""
    images = []
    for text in texts:
        buf = io.BytesIO()
        segno.make(text, error="m").save(buf, kind="png", scale=6, border=4)
        images.append(Image.open(io.BytesIO(buf.getvalue())).convert("L"))
    sheet = Image.new("L", (sum(i.width for i in images) + 40, max(i.height for i in images)), 255)
    x = 0
    for image in images:
        sheet.paste(image, (x, 0))
        x += image.width + 40
    out = io.BytesIO()
    sheet.save(out, "PNG")
    return out.getvalue()


def test_the_code_in_a_cards_deep_link_or_a_bare_code():
    assert code_from_text(deep_link("maeul_bot", "ABCDEFGHJKMN")) == "ABCDEFGHJKMN"
    assert code_from_text(" ABCD-EFGH-JKMN ") == "ABCD-EFGH-JKMN"
    assert code_from_text("https://example.org/some/page") is None
    assert code_from_text("") is None


def test_every_card_in_a_photo_once_in_reading_order():
    first, second = (deep_link("maeul_bot", c) for c in ("ABCDEFGHJKMN", "PQRSTUVWXYZ2"))
    assert codes_in_image(png(first, second, first)) == ["ABCDEFGHJKMN", "PQRSTUVWXYZ2"]


def test_a_picture_without_a_code_and_bytes_that_are_no_picture():
    blank = io.BytesIO()
    Image.new("RGB", (200, 200), (255, 255, 255)).save(blank, "JPEG")
    assert codes_in_image(blank.getvalue()) == []
    with pytest.raises(NotAnImage):
        codes_in_image(b"%PDF-1.4 not a picture")


def test_a_huge_picture_is_refused_before_decoding():
    side = int(MAX_PIXELS**0.5) + 10
    huge = io.BytesIO()
    Image.new("1", (side, side), 1).save(huge, "PNG")
    with pytest.raises(NotAnImage):
        codes_in_image(huge.getvalue())
