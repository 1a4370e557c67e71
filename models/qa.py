"""Questions the Q&A engine could not answer, for staff to improve the knowledge base.

No user id is stored: only the text, the language it was written in and when it was asked.
``normalized`` groups the same question written with other spacing or punctuation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class UnansweredQuestion(Base):
    __tablename__ = "qa_unanswered"

    id: Mapped[int] = mapped_column(primary_key=True)
    asked_at: Mapped[datetime] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(String(1000), index=True)
    language: Mapped[str | None] = mapped_column(String(8))
