"""The suppliers' panel on the staff start page (registered in ``suppliers/apps.py``)."""

from __future__ import annotations

from accounts.models import User
from students.start_page import Panel

from .selectors import agreements_expiring_for


def agreements_panel(user: User) -> Panel | None:
    """For whoever manages the suppliers: the processing agreements that expire within 60 days
    or have expired."""
    agreements = agreements_expiring_for(user)
    if not agreements:
        return None
    return Panel(template="suppliers/start_panel.html", context={"agreements": agreements})
