"""The suppliers' items on the start page's to-do list (``students/start_page.py``), registered
in ``suppliers/apps.py``: processing agreements that expire within 60 days or have expired and
were not renewed, for whoever manages the suppliers (the director) and the board's privacy
officer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from students.start_page import TodoItem, urgency_for

from .selectors import agreements_expiring_for

if TYPE_CHECKING:
    from accounts.models import User

#: An agreement ending within this many days is due soon (expiring: within 60).
AGREEMENT_SOON_DAYS = 30


def agreement_todos(user: User) -> list[TodoItem]:
    return [
        TodoItem(
            title=_("Renew or end the processing agreement with %(supplier)s")
            % {"supplier": agreement.supplier.name},
            detail=agreement.status_label,
            link=reverse("supplier-detail", args=[agreement.supplier_id]),
            deadline=agreement.valid_until,
            urgency=urgency_for(agreement.valid_until, soon_days=AGREEMENT_SOON_DAYS),
        )
        for agreement in agreements_expiring_for(user)
    ]
