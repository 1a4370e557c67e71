"""The services one running bot shares: settings, clock, database."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.clock import Clock, make_clock
from bot.core.config import Settings
from bot.core.db import create_engine, make_sessionmaker
from bot.core.i18n import Translator, resolve_language
from bot.kb.store import KnowledgeStore


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    knowledge: KnowledgeStore = field(init=False)

    def __post_init__(self) -> None:
        self.knowledge = KnowledgeStore(self.sessionmaker)

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None) -> Runtime:
        engine = create_engine(settings.database_url)
        return cls(
            settings=settings,
            clock=clock or make_clock(settings.tz, settings.now_start),
            engine=engine,
            sessionmaker=make_sessionmaker(engine),
        )

    def translator(self, saved: str | None = None, telegram_code: str | None = None) -> Translator:
        lang = resolve_language(saved, telegram_code, self.settings.default_language)
        return Translator(lang, self.settings.tz)

    async def close(self) -> None:
        await self.engine.dispose()
