"""Models, one module per aggregate. Importing this package registers every table."""

from .area import Area, AreaCode
from .audit import AuditEvent
from .availability import AvailabilityException, AvailabilityRule, ExceptionKind
from .branch import Branch
from .calendar_feed import CalendarFeed
from .calendar_version import DIRECTORY_CALENDAR, CalendarVersion
from .consultation import (
    ACTIVE_PREDICATE,
    Consultation,
    ConsultationAttendee,
    ConsultationStatus,
)
from .event import (
    Event,
    EventCertificate,
    EventKind,
    EventRegistration,
    EventSession,
    ExpertBusyTime,
    RegistrationStatus,
    SessionAttendance,
    event_trainers,
)
from .founding_group import (
    FoundingGroup,
    FoundingGroupMember,
    FoundingGroupStage,
    GroupStage,
    LegalForm,
)
from .outbox import CallTask, OutboxMessage, OutboxStatus
from .project import Project, ProjectParticipant, project_branches
from .site_setting import SiteSetting
from .topic_category import TopicCategory
from .user import (
    ClientProfile,
    Education,
    ExpertProfile,
    Gender,
    LabourStatus,
    Residence,
    Role,
    SensitiveAnswer,
    User,
)
from .waitlist import (
    LIVE_STATUSES,
    OfferStatus,
    SlotOffer,
    WaitlistEntry,
    WaitlistStatus,
)

__all__ = [
    "Event",
    "EventCertificate",
    "EventKind",
    "EventRegistration",
    "EventSession",
    "ExpertBusyTime",
    "RegistrationStatus",
    "SessionAttendance",
    "event_trainers",
    "LIVE_STATUSES",
    "OfferStatus",
    "SlotOffer",
    "WaitlistEntry",
    "WaitlistStatus",
    "ACTIVE_PREDICATE",
    "AuditEvent",
    "AvailabilityException",
    "AvailabilityRule",
    "Branch",
    "CalendarFeed",
    "CalendarVersion",
    "CallTask",
    "OutboxMessage",
    "OutboxStatus",
    "DIRECTORY_CALENDAR",
    "ClientProfile",
    "Consultation",
    "ConsultationAttendee",
    "ConsultationStatus",
    "Area",
    "AreaCode",
    "Education",
    "ExceptionKind",
    "ExpertProfile",
    "FoundingGroup",
    "FoundingGroupMember",
    "FoundingGroupStage",
    "Gender",
    "Project",
    "SiteSetting",
    "ProjectParticipant",
    "TopicCategory",
    "project_branches",
    "GroupStage",
    "LabourStatus",
    "LegalForm",
    "Residence",
    "Role",
    "SensitiveAnswer",
    "User",
]
