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
from .limits import ProcessingLimit
from .records import CareRecord, ProgressRecord, ReligionRecord
from .rollover import RolloverPlan

__all__ = [
    "Board",
    "CareRecord",
    "Group",
    "GroupGroupObjectPermission",
    "GroupTeacher",
    "GroupUserObjectPermission",
    "Guardian",
    "Guardianship",
    "Placement",
    "ProcessingLimit",
    "ProgressRecord",
    "ReligionRecord",
    "RolloverPlan",
    "School",
    "SchoolGroupObjectPermission",
    "SchoolUserObjectPermission",
    "SealCanary",
    "Student",
    "school_year_of",
]
