from django.utils.translation import gettext_lazy as _

from students.exceptions import StudentError


class RetentionError(StudentError):
    default_message = _("This retention step is not possible.")


class LegalHoldError(RetentionError):
    """A legal hold is in force: nothing of the pupil may be deleted or anonymised."""

    status_code = 409
    default_message = _(
        "A legal hold is in force for this pupil: nothing of the pupil can be erased now."
    )
