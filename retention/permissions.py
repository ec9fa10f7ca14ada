"""The object permissions of retention (see ``students.permissions``); imported by ``ready()``."""

from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from students.permissions import SCHOOL, register

register(
    "view_school_retention",
    _("See the school's retention rules and runs"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.PRIVACY_OFFICER),
)
register(
    "manage_school_retention",
    _("Set the school's retention rules and legal holds"),
    on=SCHOOL,
    roles=(Role.DIRECTOR,),
)
