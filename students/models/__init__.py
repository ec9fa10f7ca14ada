from .address_changes import AddressChange
from .core import (
    Board,
    Group,
    GroupGroupObjectPermission,
    GroupTeacher,
    GroupUserObjectPermission,
    Guardian,
    Guardianship,
    Placement,
    School,
    SchoolGroupObjectPermission,
    SchoolUserObjectPermission,
    SealCanary,
    Student,
    school_year_of,
)
from .history import ChangeRecord, EmergencyContact
from .invitations import Invitation
from .limits import ProcessingLimit
from .records import CareRecord, ProgressRecord, ReligionConsent, ReligionRecord
from .rollover import RolloverPlan
from .staff import StaffDeactivation, TeacherProposal
from .staff_invitations import StaffInvitation
from .statements import PrivacyStatement

__all__ = [
    "AddressChange",
    "Board",
    "CareRecord",
    "ChangeRecord",
    "EmergencyContact",
    "Group",
    "GroupGroupObjectPermission",
    "GroupTeacher",
    "GroupUserObjectPermission",
    "Guardian",
    "Guardianship",
    "Invitation",
    "Placement",
    "PrivacyStatement",
    "ProcessingLimit",
    "ProgressRecord",
    "ReligionConsent",
    "ReligionRecord",
    "RolloverPlan",
    "School",
    "SchoolGroupObjectPermission",
    "SchoolUserObjectPermission",
    "SealCanary",
    "StaffDeactivation",
    "StaffInvitation",
    "Student",
    "TeacherProposal",
    "school_year_of",
]
