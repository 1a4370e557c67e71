"""File storage for the emulator: uploaded bytes on disk, Telegram-like file ids."""

from __future__ import annotations

import hashlib
import itertools
import mimetypes
import secrets
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["FileRecord", "FileStore", "ImageInfo", "image_info"]

# Prefixes resembling real file ids, so log output looks familiar.
_ID_PREFIX = {
    "document": "BQACAgUAAxkBAAI",
    "photo": "AgACAgUAAxkBAAI",
    "sticker": "CAACAgUAAxkBAAI",
}
_DIRS = {"document": "documents", "photo": "photos", "sticker": "stickers"}


@dataclass(frozen=True)
class ImageInfo:
    mime_type: str
    extension: str
    width: int
    height: int


def _png(data: bytes) -> ImageInfo | None:
    if len(data) >= 24 and data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        w, h = struct.unpack(">II", data[16:24])
        return ImageInfo("image/png", ".png", w, h)
    return None


def _gif(data: bytes) -> ImageInfo | None:
    if len(data) >= 10 and data[:6] in (b"GIF87a", b"GIF89a"):
        w, h = struct.unpack("<HH", data[6:10])
        return ImageInfo("image/gif", ".gif", w, h)
    return None


def _jpeg(data: bytes) -> ImageInfo | None:
    if len(data) < 4 or data[:2] != b"\xff\xd8":
        return None
    i = 2
    n = len(data)
    while i + 9 < n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (seg_len,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return ImageInfo("image/jpeg", ".jpg", w, h)
        i += 2 + seg_len
    return None


def _webp(data: bytes) -> ImageInfo | None:
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunk = data[12:16]
    if chunk == b"VP8 ":
        w, h = struct.unpack("<HH", data[26:30])
        return ImageInfo("image/webp", ".webp", w & 0x3FFF, h & 0x3FFF)
    if chunk == b"VP8L":
        b = data[21:25]
        w = 1 + (((b[1] & 0x3F) << 8) | b[0])
        h = 1 + (((b[3] & 0x0F) << 10) | (b[2] << 2) | ((b[1] & 0xC0) >> 6))
        return ImageInfo("image/webp", ".webp", w, h)
    if chunk == b"VP8X":
        w = 1 + int.from_bytes(data[24:27], "little")
        h = 1 + int.from_bytes(data[27:30], "little")
        return ImageInfo("image/webp", ".webp", w, h)
    return None


def _bmp(data: bytes) -> ImageInfo | None:
    if len(data) >= 26 and data[:2] == b"BM":
        w, h = struct.unpack("<ii", data[18:26])
        return ImageInfo("image/bmp", ".bmp", abs(w), abs(h))
    return None


def image_info(data: bytes) -> ImageInfo | None:
    """Type and dimensions of a PNG / JPEG / GIF / WebP / BMP image, else ``None``."""
    for probe in (_png, _jpeg, _gif, _webp, _bmp):
        info = probe(data)
        if info is not None and info.width > 0 and info.height > 0:
            return info
    return None


@dataclass(frozen=True)
class FileRecord:
    """One stored file id.  Several ids (photo sizes) may share a disk file."""

    file_id: str
    file_unique_id: str
    owner_bot_id: int
    kind: str  # "document" | "photo" | "sticker"
    file_path: str  # Telegram-style relative path, e.g. "documents/file_3.pdf"
    disk_path: Path
    file_size: int
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    def file_dict(self) -> dict[str, Any]:
        """The Bot API ``File`` object (as returned by getFile)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }

    def document_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name is not None:
            d["file_name"] = self.file_name
        if self.mime_type is not None:
            d["mime_type"] = self.mime_type
        d["file_size"] = self.file_size
        return d

    def photo_size_dict(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "width": self.width or 0,
            "height": self.height or 0,
        }


# Telegram's photo size ladder ('s', 'm', 'x', 'y', 'w').
_PHOTO_SIDES = (90, 320, 800, 1280, 2560)


class _Written(NamedTuple):
    """A file written to disk: its Telegram-style path, its path on disk, size and digest."""

    rel: str
    disk: Path
    size: int
    digest: str


class FileStore:
    """Keeps uploaded bytes under ``root`` and maps file ids to them.

    File ids are bound to the bot that received or sent the file (as on Telegram,
    where one bot cannot use another bot's file ids).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._by_id: dict[str, FileRecord] = {}
        self._by_path: dict[tuple[int, str], FileRecord] = {}
        self._unique: dict[str, str] = {}
        self._families: dict[Path, list[FileRecord]] = {}
        self._counter = itertools.count(1)

    def _unique_id(self, key: str) -> str:
        uid = self._unique.get(key)
        if uid is None:
            uid = "AgAD" + secrets.token_urlsafe(9)
            self._unique[key] = uid
        return uid

    def _write(self, bot_id: int, kind: str, data: bytes, ext: str) -> _Written:
        n = next(self._counter)
        rel = f"{_DIRS[kind]}/file_{n}{ext}"
        disk = self.root / str(bot_id) / rel
        disk.parent.mkdir(parents=True, exist_ok=True)
        disk.write_bytes(data)
        return _Written(rel, disk, len(data), hashlib.sha256(data).hexdigest())

    def _new_id(self, kind: str) -> str:
        return _ID_PREFIX[kind] + secrets.token_urlsafe(24)

    def _record(
        self, bot_id: int, kind: str, written: _Written, variant: str = "", **fields: Any
    ) -> FileRecord:
        """Register the file ``written`` under a new id; files of the same kind, bytes and
        ``variant`` (a photo's size) share their unique id."""
        return self._register(
            FileRecord(
                file_id=self._new_id(kind),
                file_unique_id=self._unique_id(f"{kind}:{written.digest}{variant}"),
                owner_bot_id=bot_id,
                kind=kind,
                file_path=written.rel,
                disk_path=written.disk,
                file_size=written.size,
                **fields,
            )
        )

    def _store(self, bot_id: int, kind: str, data: bytes, ext: str, **fields: Any) -> FileRecord:
        """Write ``data`` and register it under a new id (a file of one size)."""
        return self._record(bot_id, kind, self._write(bot_id, kind, data, ext), **fields)

    def _register(self, rec: FileRecord) -> FileRecord:
        self._by_id[rec.file_id] = rec
        self._by_path.setdefault((rec.owner_bot_id, rec.file_path), rec)
        self._families.setdefault(rec.disk_path, []).append(rec)
        return rec

    def add_document(
        self, bot_id: int, data: bytes, file_name: str | None, mime_type: str | None
    ) -> FileRecord:
        if mime_type in (None, "", "application/octet-stream") and file_name:
            mime_type = mimetypes.guess_type(file_name, strict=False)[0] or mime_type
        ext = Path(file_name).suffix if file_name else ""
        if not ext and mime_type:
            ext = mimetypes.guess_extension(mime_type) or ""
        return self._store(
            bot_id,
            "document",
            data,
            ext[:16],
            file_name=file_name,
            mime_type=mime_type or "application/octet-stream",
        )

    def add_photo(self, bot_id: int, data: bytes, info: ImageInfo) -> list[FileRecord]:
        """Store a photo; returns PhotoSize records from smallest to largest."""
        written = self._write(bot_id, "photo", data, info.extension)
        big = max(info.width, info.height)
        sides = [s for s in _PHOTO_SIDES if s < big] + [min(big, _PHOTO_SIDES[-1])]
        records: list[FileRecord] = []
        for side in sides:
            scale = side / big
            w = max(1, round(info.width * scale))
            h = max(1, round(info.height * scale))
            records.append(
                self._record(
                    bot_id,
                    "photo",
                    written,
                    f":{side}",
                    mime_type=info.mime_type,
                    width=w,
                    height=h,
                )
            )
        return records

    def add_sticker(self, bot_id: int, data: bytes) -> FileRecord:
        return self._store(
            bot_id, "sticker", data, ".webp", mime_type="image/webp", width=512, height=512
        )

    def photo_family(self, rec: FileRecord) -> list[FileRecord]:
        """All PhotoSize records of the photo ``rec`` belongs to, smallest first."""
        return list(self._families.get(rec.disk_path, [rec]))

    def get(self, file_id: str) -> FileRecord | None:
        return self._by_id.get(file_id)

    def by_path(self, bot_id: int, file_path: str) -> FileRecord | None:
        return self._by_path.get((bot_id, file_path))

    def read(self, rec: FileRecord) -> bytes:
        return rec.disk_path.read_bytes()
