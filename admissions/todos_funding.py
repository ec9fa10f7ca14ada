"""The funding registrations on the start page's to-do list (``students/start_page.py``),
registered in ``admissions/apps.py``: for whoever handles a school's registrations (director,
administration), each registration not yet sent that is due within 2 days or overdue. One
query, however many items."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.labels import label
from students.start_page import TodoItem, urgency_for

from .selectors.funding import registrations_pressing

if TYPE_CHECKING:
    from accounts.models import User

DUE_WITHIN_DAYS = 2


def funding_todos(user: User) -> list[TodoItem]:
    page = reverse("registration-list")
    return [
        TodoItem(
            title=_("Register the %(kind)s of %(pupil)s with DUO")
            % {
                "kind": str(label("registration_kind", registration.kind)).lower(),
                "pupil": registration.student.display_name,
            },
            detail=registration.school.name,
            link=f"{page}#registration-{registration.pk}",
            deadline=registration.due_on,
            urgency=urgency_for(registration.due_on, soon_days=DUE_WITHIN_DAYS),
        )
        for registration in registrations_pressing(user=user, within_days=DUE_WITHIN_DAYS)
    ]
