"""Models, one module per aggregate. Importing this package registers every table."""

from .audit import AuditEvent
from .availability import AvailabilityException, AvailabilityRule, ExceptionKind
from .branch import Branch
from .calendar_state import CalendarState
from .consultation import (
    ACTIVE_PREDICATE,
    Consultation,
    ConsultationAttendee,
    ConsultationStatus,
)
from .domain_area import Domain, DomainCode
from .founding_group import (
    FoundingGroup,
    FoundingGroupMember,
    FoundingGroupStage,
    GroupStage,
    LegalForm,
)
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

__all__ = [
    "ACTIVE_PREDICATE",
    "AuditEvent",
    "AvailabilityException",
    "AvailabilityRule",
    "Branch",
    "CalendarState",
    "ClientProfile",
    "Consultation",
    "ConsultationAttendee",
    "ConsultationStatus",
    "Domain",
    "DomainCode",
    "Education",
    "ExceptionKind",
    "ExpertProfile",
    "FoundingGroup",
    "FoundingGroupMember",
    "FoundingGroupStage",
    "Gender",
    "GroupStage",
    "LabourStatus",
    "LegalForm",
    "Residence",
    "Role",
    "SensitiveAnswer",
    "User",
]
