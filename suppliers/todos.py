"""The suppliers' items on the start page's to-do list (``students/start_page.py``), registered
in ``suppliers/apps.py``: processing agreements that expire within 60 days or have expired and
were not renewed, for whoever manages the suppliers (the director) and the board's privacy
officer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.constants import Function
from students.start_page import TodoItem, urgency_for

from .selectors import agreements_expiring_for

if TYPE_CHECKING:
    from accounts.models import User

#: An agreement ending within this many days is due soon (expiring: within 60).
AGREEMENT_SOON_DAYS = 30


def agreement_todos(user: User) -> list[TodoItem]:
    """The director renews or ends it on the supplier's page; the privacy officer, who may not
    change it, sees to it that the school does, from the suppliers' list."""
    manages = user.has_function(Function.MANAGE_SUPPLIERS)
    items = []
    for agreement in agreements_expiring_for(user):
        if manages:
            title = _("Renew or end the processing agreement with %(supplier)s")
            link = reverse("supplier-detail", args=[agreement.supplier_id])
        else:
            title = _("See that the processing agreement with %(supplier)s is renewed or ended")
            link = f"{reverse('supplier-list')}#s-{agreement.supplier_id}"
        items.append(
            TodoItem(
                title=title % {"supplier": agreement.supplier.name},
                detail=agreement.status_label,
                link=link,
                deadline=agreement.valid_until,
                urgency=urgency_for(agreement.valid_until, soon_days=AGREEMENT_SOON_DAYS),
            )
        )
    return items
