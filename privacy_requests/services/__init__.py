"""Writes for privacy requests: submission, the workflow with its legal deadline, the access
package job and its release, corrections, restrictions and objections, and erasure.

Every transition locks the request row and checks the state it starts from, so two people
acting at once get a clear refusal instead of a lost change. Every step lands on the timeline.
Opening a request or a package to review is an access event, so those reads are services too
(reads.py).
"""

from .common import DESCRIPTION_MAX, RequestError, RequestStateError
from .notify import request_notify, requests_due_soon_notify
from .packages import (
    package_build,
    package_download_record,
    package_json,
    package_release,
    package_start,
)
from .reads import package_open_for_review, request_open_for
from .submission import request_fields_check, request_register, request_submit
from .workflow import (
    correction_accept,
    erasure_assess,
    erasure_decide,
    limit_accept,
    limit_lift,
    request_complete,
    request_extend,
    request_reject,
    request_start,
    request_wait,
)

__all__ = [
    "DESCRIPTION_MAX",
    "RequestError",
    "RequestStateError",
    "correction_accept",
    "erasure_assess",
    "erasure_decide",
    "limit_accept",
    "limit_lift",
    "package_build",
    "package_download_record",
    "package_json",
    "package_open_for_review",
    "package_release",
    "package_start",
    "request_complete",
    "request_extend",
    "request_fields_check",
    "request_notify",
    "request_open_for",
    "request_register",
    "request_reject",
    "request_start",
    "request_submit",
    "request_wait",
    "requests_due_soon_notify",
]
