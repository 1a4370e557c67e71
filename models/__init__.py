"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from models.assembly import AssemblyVote, AssemblyVoteItem, Ballot, Voter, VotingCode
from models.audit import AuditLog
from models.base import Base
from models.events import (
    EventOccurrence,
    Registration,
    Reminder,
    ReminderSetting,
    Subscription,
    SurveyComment,
    SurveyInvitation,
    SurveyResponse,
)
from models.follow import GrantFollow
from models.invite import RoleInvite
from models.kb import Assembly, AssemblyItem, Category, Dong, Event, FaqEntry, Grant, Region
from models.persistence import PtbBotData, PtbChatData, PtbConversation, PtbUserData
from models.proposal import (
    Proposal,
    ProposalDongSettings,
    ProposalDraft,
    ProposalHistory,
    ProposalReport,
    ProposalSupport,
)
from models.qa import UnansweredQuestion
from models.qa_counts import QuestionCount
from models.ratebudget import RateBudget, RateSend
from models.user import Role, User, UserRole

__all__ = [
    "Assembly",
    "AssemblyItem",
    "AssemblyVote",
    "AssemblyVoteItem",
    "AuditLog",
    "Ballot",
    "Base",
    "Category",
    "Dong",
    "Event",
    "EventOccurrence",
    "FaqEntry",
    "Grant",
    "GrantFollow",
    "Proposal",
    "ProposalDongSettings",
    "ProposalDraft",
    "ProposalHistory",
    "ProposalReport",
    "ProposalSupport",
    "PtbBotData",
    "PtbChatData",
    "PtbConversation",
    "PtbUserData",
    "QuestionCount",
    "RateBudget",
    "RateSend",
    "Region",
    "Registration",
    "Reminder",
    "ReminderSetting",
    "Role",
    "RoleInvite",
    "Subscription",
    "SurveyComment",
    "SurveyInvitation",
    "SurveyResponse",
    "UnansweredQuestion",
    "User",
    "UserRole",
    "Voter",
    "VotingCode",
]
