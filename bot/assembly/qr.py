"""Voting codes read from a photo of their QR code (staff at the dong office on the
assembly day photograph the card a resident hands in).

Decoding uses ``zxing-cpp`` (the C++ port of ZXing; wheels on PyPI for every platform we
run on, about 2 MB, nothing downloaded at run time). Measured on a phone-like picture (a
card on a table, turned 17°, blurred, darkened, JPEG quality 60, 1280×960): about 14 ms per
decode on one core, and it reads it; so does a photo of several cards at once. The
alternatives were heavier (OpenCV's detector: a 50 MB wheel) or need a system library
(pyzbar: libzbar). Images are opened with Pillow (already installed with matplotlib).

A card's QR code holds the deep link ``https://t.me/<bot>?start=vote_<code>``
(:mod:`bot.assembly.sheets`); a bare code is accepted too. What comes back is the code as
printed, for :func:`bot.assembly.service.mark_onsite` to check like a typed one.
"""

from __future__ import annotations

import io
import re

MAX_PIXELS = 40_000_000
"""Refuse absurd images (a decompression bomb) before decoding: Telegram photos are at
most 2560 px on a side, documents can be anything."""
_LINK_RE = re.compile(r"[?&]start=vote_([A-Za-z0-9-]{1,40})")


class NotAnImage(ValueError):
    """The bytes are not an image Pillow can open."""


def code_from_text(text: str) -> str | None:
    """The voting code in a QR code's text: from the deep link, or the text itself when
    it is short enough to be a code (checked later by the service)."""
    text = text.strip()
    found = _LINK_RE.search(text)
    if found is not None:
        return found.group(1)
    if 0 < len(text) <= 40 and "/" not in text:
        return text
    return None


def codes_in_image(data: bytes) -> list[str]:
    """Every voting code in the QR codes of this picture, in reading order, without
    repeats. Raises :class:`NotAnImage` for bytes that are not a picture."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        image: Image.Image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise NotAnImage("image too large")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise NotAnImage(str(exc)) from None
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    found: list[str] = []
    formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    for barcode in zxingcpp.read_barcodes(image, formats=formats):
        code = code_from_text(barcode.text)
        if code is not None and code not in found:
            found.append(code)
    return found
