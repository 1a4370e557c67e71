"""How many questions the Q&A answered and did not answer, per day and dong (issue 13).

Staff report "questions answered and not" to the district (bot/stats). Answered questions
are not logged (their text is a resident's private words), so this is a counter only: a
row per local day and the asker's home dong, with two numbers. No text, no user, no time
of day — nothing here is personal data, so it is kept like the other statistics (no
retention limit, nothing to show in /mydata or to delete on /forget).

``dong_id`` is the asker's home dong at the time, ``""`` when they had set none (a key
column cannot be NULL: NULLs are distinct in a unique key, and the counter is upserted on
its key). It is not a foreign key: the counts stay when a dong leaves the knowledge base.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class QuestionCount(Base):
    __tablename__ = "qa_daily_counts"

    day: Mapped[date] = mapped_column(primary_key=True)
    """The local day the questions were asked on (the bot's zone)."""
    dong_id: Mapped[str] = mapped_column(String(64), primary_key=True, default="")
    answered: Mapped[int] = mapped_column(default=0)
    unanswered: Mapped[int] = mapped_column(default=0)
