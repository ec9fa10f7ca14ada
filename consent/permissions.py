"""The object permissions of consent (see ``students.permissions``); imported by ``ready()``."""

from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from students.permissions import GROUP, SCHOOL, register

register(
    "view_school_consent",
    _("See the consent status of the school's pupils"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.ADMINISTRATION, Role.CARE_COORDINATOR),
)
register(
    "record_school_consent",
    _("Record paper consent forms"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.ADMINISTRATION),
)
register(
    "manage_school_consent",
    _("Manage consent purposes and campaigns"),
    on=SCHOOL,
    roles=(Role.DIRECTOR,),
)
register(
    "view_school_consent_dashboard",
    _("See the school's consent dashboard"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.PRIVACY_OFFICER),
)
register(
    "publish_school",
    _("Register publications with the school's pupils"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.ADMINISTRATION),
)
register(
    "view_group_consent",
    _("See the consent status of the group's pupils"),
    on=GROUP,
    roles=(Role.TEACHER,),
)
register(
    "publish_group",
    _("Register publications with the group's pupils"),
    on=GROUP,
    roles=(Role.TEACHER,),
)
