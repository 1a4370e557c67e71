"""The district's dongs, as imported from the knowledge base."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.text import localized
from models.kb import Dong


async def list_dongs(session: AsyncSession) -> list[Dong]:
    rows = await session.execute(
        select(Dong).where(Dong.archived.is_(False)).order_by(Dong.position, Dong.id)
    )
    return list(rows.scalars())


async def get_dong(session: AsyncSession, dong_id: str) -> Dong | None:
    dong = await session.get(Dong, dong_id)
    return dong if dong is not None and not dong.archived else None


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    return "".join(ch for ch in text if ch.isalnum())


def match_dong(dongs: list[Dong], typed: str) -> Dong | None:
    """Find the dong a user typed: '새터동', '새터', 'saeteo-dong', 'hanbit 1'."""
    key = _norm(typed)
    if not key:
        return None
    candidates = []
    for dong in dongs:
        names = {_norm(dong.id), *(_norm(v) for v in dong.name.values())}
        stems = {n.removesuffix("dong").removesuffix("동") for n in names}
        if key in names or key in stems or key.removesuffix("동") in stems:
            candidates.append(dong)
    return candidates[0] if len(candidates) == 1 else None


class UnknownDong(ValueError):
    """A dong staff typed that is none of the district's; the message lists them all."""

    def __init__(self, typed: str, dongs: list[Dong]) -> None:
        listed = ", ".join(f"{d.id} ({localized(d.name, 'ko')})" for d in dongs)
        super().__init__(f"unknown dong {typed!r}; the dongs are: {listed or 'none imported'}")
        self.typed = typed


def resolve_dong(dongs: list[Dong], typed: str) -> Dong:
    """The dong staff mean by ``typed``: its id, or its Korean or English name with or
    without spaces, hyphens or the 동/dong suffix ('hanbit1', '한빛1동', '한빛 1동',
    'Hanbit 1-dong'). Raises :class:`UnknownDong`, which lists the valid ids and names."""
    exact = next((d for d in dongs if d.id == typed.strip()), None)
    if exact is not None:
        return exact
    found = match_dong(dongs, typed)
    if found is None:
        raise UnknownDong(typed, dongs)
    return found


async def resolve_dong_id(session: AsyncSession, typed: str | None) -> str | None:
    """:func:`resolve_dong` against the database; None stays None (no dong given)."""
    if typed is None:
        return None
    return resolve_dong(await list_dongs(session), typed).id


def dong_name(dong: Dong, lang: str) -> str:
    return localized(dong.name, lang)
