"""The object permissions of the registers (see ``students.permissions``); imported by
``ready()``."""

from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from students.permissions import SCHOOL, register

register(
    "manage_school_breaches",
    _("Record and assess the school's data breaches"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.PRIVACY_OFFICER),
)
register(
    "view_school_register",
    _("See the processing register for the school"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.PRIVACY_OFFICER),
)
