from django.utils.translation import gettext_lazy as _

from students.exceptions import StudentError


class RetentionError(StudentError):
    """A retention rule refused the change. ``field`` names the input it is about, if one, so
    the form and the API can put the message next to it."""

    default_message = _("This retention step is not possible.")

    def __init__(self, message=None, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class PeriodError(RetentionError):
    """A period outside its category's floor and ceiling, or one the caller may not set (a
    director and the access-event period)."""

    default_message = _("This period is not possible for this data.")

    def __init__(self, message=None, *, field: str = "period_months"):
        super().__init__(message, field=field)


class LegalHoldError(RetentionError):
    """A legal hold is in force: nothing of the pupil may be deleted or anonymised."""

    status_code = 409
    default_message = _(
        "A legal hold is in force for this pupil: nothing of the pupil can be erased now."
    )
