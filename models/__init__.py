"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from models.audit import AuditLog
from models.base import Base
from models.kb import (
    Assembly,
    AssemblyItem,
    Category,
    Dong,
    Event,
    FaqEntry,
    Grant,
    Region,
)
from models.persistence import PtbBotData, PtbChatData, PtbConversation, PtbUserData
from models.user import Role, User, UserRole

__all__ = [
    "Assembly",
    "AssemblyItem",
    "AuditLog",
    "Base",
    "Category",
    "Dong",
    "Event",
    "FaqEntry",
    "Grant",
    "PtbBotData",
    "PtbChatData",
    "PtbConversation",
    "PtbUserData",
    "Region",
    "Role",
    "User",
    "UserRole",
]
