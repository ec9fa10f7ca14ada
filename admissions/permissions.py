"""The object permissions of admissions (see ``students.permissions``); imported by ``ready()``.

The administration handles applications, registrations and leaving; the director decides; the
care coordinator reads the sealed answers (support needs, religion) of an application."""

from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from students.permissions import SCHOOL, register

register(
    "handle_school_applications",
    _("Handle the school's applications for a place"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.ADMINISTRATION),
)
register(
    "decide_school_applications",
    _("Decide on the school's applications for a place"),
    on=SCHOOL,
    roles=(Role.DIRECTOR,),
)
register(
    "read_school_application_support",
    _("Read the support needs and religion given in the school's applications"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.CARE_COORDINATOR),
)
register(
    "handle_school_funding_registrations",
    _("Prepare and record the school's funding registrations for DUO"),
    on=SCHOOL,
    roles=(Role.DIRECTOR, Role.ADMINISTRATION),
)
