"""The object permissions of privacy requests (see ``students.permissions``); imported by
``ready()``."""

from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from students.permissions import SCHOOL, register

register(
    "handle_school_requests",
    _("Handle the school's privacy requests"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.ADMINISTRATION),
)
register(
    "decide_school_requests",
    _("Decide on the school's privacy requests"),
    on=SCHOOL,
    roles=(Role.DIRECTOR,),
)
register(
    "release_school_packages",
    _("Review and release the school's access packages"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.CARE_COORDINATOR),
)
register(
    "oversee_school_requests",
    _("Oversee the school's privacy requests"),
    on=SCHOOL,
    roles=(Role.PRIVACY_OFFICER,),
)
