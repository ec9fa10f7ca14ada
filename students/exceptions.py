from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from kernel.exceptions import DomainError


class FunctionNotAllowed(PermissionDenied):
    """The user's role does not have this function at all (403)."""


class StudentError(DomainError):
    """A rule about pupil data refused the change (400 unless the subclass says otherwise)."""


class PlacementError(StudentError):
    default_message = _("The pupil cannot be placed in this group.")


class WithdrawalError(StudentError):
    default_message = _("The pupil cannot be withdrawn like this.")


class ConcurrentEditError(StudentError):
    default_message = _(
        "Someone else changed this record while you were editing it. Your text is kept below; "
        "check the current version and save again."
    )


class EnrolmentError(StudentError):
    default_message = _("The pupil could not be enrolled; check the fields marked.")


class FormerPupilError(StudentError):
    """A day-to-day change to a pupil who left the school (409: the pupil's state, not the
    input, refuses it). Corrections, erasure, retention and legal holds still apply."""

    default_message = _(
        "This pupil has left the school: their data can no longer be changed in day-to-day "
        "work. Corrections go through a privacy request."
    )
    status_code = 409


class AddressChangeError(StudentError):
    """A reported move that cannot be made or decided as asked (one waits already, it was
    decided already)."""

    default_message = _("This move cannot be reported or decided like this.")
    status_code = 409


# -- The school's edits (students/services/editing.py) ------------------------------------------


class EditError(StudentError):
    default_message = _("The change was not saved; check the fields marked.")


class EditConflictError(ConcurrentEditError):
    """Someone else saved a change since the form (or the API's version) was read: 409, and
    nothing is written; the form keeps what the person typed."""

    default_message = _(
        "Someone else changed this data since you opened the form. Nothing was saved: what "
        "you typed is kept below. Check the current data (open the page again in another "
        "tab) and save again."
    )
    status_code = 409
