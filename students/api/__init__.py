from .pupils import (
    GroupDetailApi,
    GroupListApi,
    SchoolDetailApi,
    SchoolListApi,
    StudentDetailApi,
    StudentListApi,
)
from .records import AccessLogApi, CareRecordDetailApi, CareRecordListApi, ProgressApi, ReligionApi

__all__ = [
    "AccessLogApi",
    "CareRecordDetailApi",
    "CareRecordListApi",
    "GroupDetailApi",
    "GroupListApi",
    "ProgressApi",
    "ReligionApi",
    "SchoolDetailApi",
    "SchoolListApi",
    "StudentDetailApi",
    "StudentListApi",
]
