"""Setting up a school: the one place that does it, used by ``manage.py school_setup``, the demo
(``onboarding/demo/loader.py``) and the board-scale bench (``bench/generate.py``).

A school is set up with what every capability needs before its first page opens: the school
itself (the board's privacy officers oversee it at once), its director's scope, the standard
consent purposes and the retention rules with the Dutch defaults. Every step is idempotent, so
setting up a school that exists already adds only what is missing."""

from __future__ import annotations

from django.db import transaction

from accounts.constants import Role
from accounts.models import User
from admissions.services.funding import duo_recipient_ensure
from admissions.services.okr import next_school_recipient_ensure
from consent.services import purposes_seed
from kernel.exceptions import DomainError
from retention.services import rules_seed
from students.models import Board, School
from students.services import school_create, staff_assign_to_school


class ProvisioningError(DomainError):
    """The school cannot be set up as asked (its BRIN belongs to another board)."""


def board_provision(*, name: str) -> Board:
    """The school board of this name, created when it does not exist yet."""
    board, _created = Board.objects.get_or_create(name=name)
    return board


def school_of_brin(*, board: Board, brin: str) -> School | None:
    """The school with this BRIN code if it exists; refused when it belongs to another board."""
    school = School.objects.filter(brin=brin).first()
    if school is not None and school.board_id != board.pk:
        raise ProvisioningError(f"BRIN {brin} already belongs to another board.")
    return school


@transaction.atomic
def school_provision(
    *,
    board: Board,
    name: str,
    brin: str,
    director: User | None = None,
    set_up_by: User | None = None,
    retention_rules: bool = True,
) -> School:
    """Set up the school with this BRIN code of the board (or complete an existing one):

    - the school, overseen at once by the board's privacy officers;
    - ``director``, if given, gets the director's scope of the school;
    - the standard consent purposes, their first texts recorded as written by ``set_up_by``
      (by default the director; nobody when neither is given);
    - the retention rules with the Dutch defaults, not enabled (the director enables them after
      looking at the preview). With ``retention_rules=False`` they stay unsaved: the retention
      page shows the defaults until the school's director first opens it;
    - the board's next-school recipient, through which education reports leave.
    - the board's recipient for DUO, to which the funding registrations of every enrolment and
      leaving go (through the gate).

    No privacy statement: that is the school's own text, which its director writes and
    publishes (``/privacy/<school>/edit/``); until then its page says it has none yet.
    """
    school = school_of_brin(board=board, brin=brin)
    if school is None:
        school = school_create(board=board, name=name, brin=brin)
    if director is not None:
        staff_assign_to_school(user=director, school=school, role=Role.DIRECTOR)
    purposes_seed(school=school, user=set_up_by or director)
    if retention_rules:
        rules_seed(school=school)
    next_school_recipient_ensure(board=board)
    duo_recipient_ensure(board=board)
    return school
