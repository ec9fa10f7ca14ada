"""The core's own items on the start page's to-do list (``students/start_page.py``), registered
in ``students/apps.py``: for the director, the care records the care team asked to withhold from
the guardians (the Meldcode), and the groups an import proposed for the school's teachers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.constants import Function

from .selectors import school_ids_with
from .selectors.records import withholdings_pending_for
from .selectors.staff import teacher_proposals_of
from .start_page import TodoItem, Urgency

if TYPE_CHECKING:
    from accounts.models import User


def withholding_todos(user: User) -> list[TodoItem]:
    """Each withholding waiting for this director's decision (the schools where they decide on
    withholdings). Until the decision the record is hidden from the guardians: due soon."""
    if not user.has_function(Function.DECIDE_WITHHOLDING):
        return []
    page = reverse("care-withholdings")
    return [
        TodoItem(
            title=_("Decide whether to withhold a care record from the parents"),
            detail=_("%(pupil)s, %(group)s")
            % {
                "pupil": record.student.display_name,
                "group": record.student.group.name if record.student.group else "—",
            },
            link=f"{page}#w-{record.pk}",
            urgency=Urgency.DUE_SOON,
        )
        for record in withholdings_pending_for(user=user)
    ]


def teacher_proposal_todos(user: User) -> list[TodoItem]:
    """Each group an import proposed for a teacher of the director's schools, to confirm or
    dismiss on the staff page."""
    if not user.has_function(Function.MANAGE_STAFF):
        return []
    schools = school_ids_with(user, "manage_school_staff")
    page = reverse("accounts:staff")
    return [
        TodoItem(
            title=_("Confirm or dismiss the group proposed for %(teacher)s")
            % {"teacher": proposal.teacher.full_name or proposal.teacher.email},
            detail=_("%(group)s, %(school)s")
            % {"group": proposal.group.name, "school": proposal.school.name},
            link=f"{page}#proposals-heading",
        )
        for proposal in teacher_proposals_of(schools)
    ]
