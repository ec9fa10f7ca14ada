"""The object permissions of suppliers (see ``students.permissions``); imported by ``ready()``."""

from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from students.permissions import SCHOOL, register

register(
    "manage_school_suppliers",
    _("Manage the board's suppliers and agreements"),
    on=SCHOOL,
    roles=(Role.DIRECTOR,),
)
register(
    "run_school_exports",
    _("Export the school's pupil data through the gate"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.ADMINISTRATION),
)
register(
    "view_school_disclosures",
    _("See the school's disclosure register"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.ADMINISTRATION, Role.PRIVACY_OFFICER),
)
