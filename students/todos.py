"""The core's own items on the start page's to-do list (``students/start_page.py``), registered
in ``students/apps.py``: for the director, the care records the care team asked to withhold from
the guardians (the Meldcode), and the groups an import proposed for the school's teachers; for
whoever records religion at school level, the entries no parent's consent holds for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.constants import Function

from .selectors import school_ids_with
from .selectors.records import religion_unconsented, withholdings_pending_for
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


def religion_unconsented_todos(user: User) -> list[TodoItem]:
    """One item for the stated religion entries of the user's schools that rest on no
    parent's consent (recorded before consent was asked): it opens the first such pupil's
    religion page, where the school records the signed consent or removes the entry; the next
    pupil comes up once that one is resolved. One query, however many pupils."""
    if not user.has_function(Function.WRITE_RELIGION):
        return []
    pupils = list(
        religion_unconsented(school_ids_with(user, "write_school_religion"))
        .order_by("student_id")
        .values_list("student_id", flat=True)
    )
    if not pupils:
        return []
    return [
        TodoItem(
            title=ngettext(
                "Religion recorded without consent: %(count)d pupil",
                "Religion recorded without consent: %(count)d pupils",
                len(pupils),
            )
            % {"count": len(pupils)},
            detail=_("Record the parent's signed consent or remove the entry."),
            link=reverse("student-religion", args=[pupils[0]]),
            urgency=Urgency.DUE_SOON,
        )
    ]
