"""The district support centre's name and contact, from the knowledge base."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.text import localized
from models.kb import Region


@dataclass(frozen=True)
class Centre:
    name: str
    phone: str
    email: str
    hours: str


async def centre_info(session: AsyncSession, lang: str) -> Centre | None:
    region = (
        await session.execute(select(Region).where(Region.archived.is_(False)).limit(1))
    ).scalar_one_or_none()
    if region is None:
        return None
    contact = region.contact or {}
    return Centre(
        name=localized(region.centre, lang),
        phone=str(contact.get("phone", "")),
        email=str(contact.get("email", "")),
        hours=localized(contact.get("hours"), lang),
    )
