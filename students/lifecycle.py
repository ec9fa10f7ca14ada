"""What else happens when a pupil is enrolled or leaves, registered by the capabilities.

The core enrols (``services.enrolment.pupil_enrol``) and withdraws (``services.pupils.
student_withdraw``, the school year's rollover); a capability that must act on it (the funding
registration for DUO in ``admissions``) registers a hook in its ``AppConfig.ready()``. Hooks run
inside the same transaction as the change, after it is written, so a hook that fails undoes the
enrolment or the leaving: nothing is half done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Student

Hook = Callable[..., None]  # hook(*, actor: User | None, student: Student) -> None

_enrolled: list[Hook] = []
_withdrawn: list[Hook] = []


def enrolled_register(hook: Hook) -> None:
    """Call ``hook(actor=..., student=...)`` after each enrolment."""
    if hook not in _enrolled:
        _enrolled.append(hook)


def withdrawn_register(hook: Hook) -> None:
    """Call ``hook(actor=..., student=...)`` after each leaving (``student.withdrawn_on`` set)."""
    if hook not in _withdrawn:
        _withdrawn.append(hook)


def enrolled_notify(*, actor: User | None, student: Student) -> None:
    for hook in _enrolled:
        hook(actor=actor, student=student)


def withdrawn_notify(*, actor: User | None, student: Student) -> None:
    for hook in _withdrawn:
        hook(actor=actor, student=student)
