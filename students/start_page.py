"""The panels of the staff start page, registered by the capabilities.

The start page (``samen_een/views.py``, ``HomeView``) shows the core's own parts (the groups of
this school year) and then asks each registered provider for a panel: a capability registers its
provider in its ``AppConfig.ready()`` (``suppliers/apps.py``: agreements that need attention), so
the core knows no capability. A provider gets the logged-in user and answers with a ``Panel``,
or ``None`` when it has nothing to show them; panels appear in the order of ``INSTALLED_APPS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class Panel:
    """One panel: the template that draws it and that template's context (any value a
    template can show, hence ``Any``)."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


PanelProvider = Callable[["User"], Panel | None]

_providers: list[PanelProvider] = []


def register(provider: PanelProvider) -> PanelProvider:
    """Add a provider of a start-page panel (once, however often ``ready()`` runs)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(user: User) -> list[Panel]:
    """The panels the registered providers show this user, in order of registration."""
    panels = []
    for provider in _providers:
        panel = provider(user)
        if panel is not None:
            panels.append(panel)
    return panels
