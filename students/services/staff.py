"""A school's staff, as the director manages it on the staff page: ending a colleague's
account at the school, and the groups an import proposes for the school's teachers."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import STAFF_ROLES
from accounts.models import User
from accounts.services import account_deactivate
from audit.constants import Action, DataKind
from audit.services import event_record

from ..models import (
    Group,
    GroupTeacher,
    GroupUserObjectPermission,
    School,
    SchoolUserObjectPermission,
    StaffDeactivation,
    TeacherProposal,
    school_year_of,
)
from ..selectors.staff import teachers_at
from .invitations import InvitationError
from .pupils import teacher_assign_to_group

# --- Staff leaving -----------------------------------------------------------------------------


@transaction.atomic
def staff_deactivate(*, user: User, staff: User, school: School) -> User:
    """End a staff account at once: no login (its password and sessions are void), no API
    token, no school or group permission, no group teaching. The account row and its history
    in the audit trail stay."""
    staff = User.objects.select_for_update().get(pk=staff.pk)
    if staff.pk == user.pk:
        raise InvitationError(_("You cannot deactivate your own account."))
    managed = SchoolUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename="manage_school_staff"
    ).values("content_object_id")
    elsewhere = (
        SchoolUserObjectPermission.objects.filter(user=staff)
        .exclude(content_object_id__in=managed)
        .exists()
        or GroupTeacher.objects.filter(teacher=staff).exclude(group__school_id__in=managed).exists()
    )
    if elsewhere:
        # One director must not lock someone out of a school they do not run.
        raise InvitationError(
            _("This account also works at another school; ask the school board to end it.")
        )
    roles = sorted(staff.role_names & STAFF_ROLES)
    account_deactivate(user=staff)
    SchoolUserObjectPermission.objects.filter(user=staff).delete()
    GroupUserObjectPermission.objects.filter(user=staff).delete()
    GroupTeacher.objects.filter(teacher=staff).delete()
    StaffDeactivation.objects.create(user=staff, school=school, roles=roles, by=user)
    event_record(
        user=user,
        action=Action.UPDATE,
        object_type="staff_deactivation",
        object_id=staff.pk,
        school_id=school.pk,
        data_kind=DataKind.ACCOUNT,
    )
    return staff


# --- Groups proposed by an import ----------------------------------------------------------


class StaffError(Exception):
    """A staff change that cannot be made; ``message`` says why, in words."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@transaction.atomic
def teacher_proposals_record(
    *, actor: User, school: School, teacher: User, groups: list[Group]
) -> list[TeacherProposal]:
    """Propose groups of the school for one of its teachers (what an import found in its file).
    Nothing is assigned and no role is given: the director confirms on the staff page. Only an
    account that already is a teacher of the school can be proposed; a group the teacher
    already has, or that was proposed for them before (also when dismissed), is left out."""
    if not teachers_at(school).filter(pk=teacher.pk).exists():
        raise StaffError(_("Only a teacher of the school can be proposed for its groups."))
    if any(group.school_id != school.pk for group in groups):
        raise StaffError(_("The group belongs to another school."))
    ids = [group.pk for group in groups]
    taken = set(
        GroupTeacher.objects.filter(teacher=teacher, group_id__in=ids).values_list(
            "group_id", flat=True
        )
    ) | set(
        TeacherProposal.objects.filter(teacher=teacher, group_id__in=ids).values_list(
            "group_id", flat=True
        )
    )
    made = []
    for group in dict.fromkeys(groups):
        if group.pk in taken:
            continue
        proposal = TeacherProposal.objects.create(
            school=school, teacher=teacher, group=group, proposed_by=actor
        )
        event_record(
            user=actor,
            action=Action.CREATE,
            object_type="teacher_proposal",
            object_id=proposal.pk,
            school_id=school.pk,
            data_kind=DataKind.ACCOUNT,
        )
        made.append(proposal)
    return made


def _proposal_lock(*, user: User, proposal: TeacherProposal) -> TeacherProposal:
    proposal = (
        TeacherProposal.objects.select_for_update()
        .select_related("teacher", "group", "school")
        .get(pk=proposal.pk)
    )
    if not SchoolUserObjectPermission.objects.filter(
        user_id=user.pk,
        content_object_id=proposal.school_id,
        permission__codename="manage_school_staff",
    ).exists():
        raise StaffError(_("Only the director of the school decides on its staff."))
    if proposal.decision:
        raise StaffError(_("This proposal has already been decided."))
    return proposal


@transaction.atomic
def teacher_proposal_confirm(*, user: User, proposal: TeacherProposal) -> TeacherProposal:
    """The director confirms: the teacher gets the group, through the same service as on the
    staff page (its permissions and audit event), and the decision is recorded. Refused when
    the account is no longer a teacher of the school or the group's school year has passed."""
    proposal = _proposal_lock(user=user, proposal=proposal)
    if not teachers_at(proposal.school).filter(pk=proposal.teacher_id).exists():
        raise StaffError(
            _("This account is no longer a teacher of the school; dismiss the proposal.")
        )
    if proposal.group.school_year < school_year_of(timezone.localdate()):
        raise StaffError(_("The group belongs to a past school year; dismiss the proposal."))
    if not GroupTeacher.objects.filter(group=proposal.group, teacher=proposal.teacher).exists():
        teacher_assign_to_group(teacher=proposal.teacher, group=proposal.group, actor=user)
    return _proposal_decide(
        user=user, proposal=proposal, decision=TeacherProposal.Decision.CONFIRMED
    )


@transaction.atomic
def teacher_proposal_dismiss(*, user: User, proposal: TeacherProposal) -> TeacherProposal:
    """The director dismisses: nothing is assigned, and the same import proposes it no more."""
    proposal = _proposal_lock(user=user, proposal=proposal)
    return _proposal_decide(
        user=user, proposal=proposal, decision=TeacherProposal.Decision.DISMISSED
    )


def _proposal_decide(*, user: User, proposal: TeacherProposal, decision: str) -> TeacherProposal:
    proposal.decision = decision
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["decision", "decided_by", "decided_at"])
    event_record(
        user=user,
        action=Action.UPDATE,
        object_type="teacher_proposal",
        object_id=proposal.pk,
        school_id=proposal.school_id,
        data_kind=DataKind.ACCOUNT,
    )
    return proposal
