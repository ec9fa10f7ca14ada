"""Planning the file's teachers: an import creates no account and gives no one a role or a
group; for the school's own teachers it only proposes their imported groups to the director."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts.models import User
from students.models import GroupTeacher, TeacherProposal, school_year_of
from students.selectors.staff import teachers_at

from .context import Planning, max_length
from .records import PROPOSE, SKIP, UNCHANGED, RecordAction

# A model limit that is tighter than the schema's.
MAX_FULL_NAME = max_length(User, "full_name")


def plan_teachers(planning: Planning) -> None:
    """Plan every teacher of the file: which of their planned groups are proposed."""
    emails = [teacher.email.strip().lower() for teacher in planning.file.teachers if teacher.email]
    # Only accounts that already teach at this school; every other address (unknown, a
    # guardian's, the importer's own, staff without the teacher role, a teacher of another
    # school) gets the same answer, so the preview tells nothing about other accounts.
    users = {user.email: user for user in teachers_at(planning.school).filter(email__in=emails)}
    taken = {
        *GroupTeacher.objects.filter(teacher__in=users.values()).values_list(
            "teacher_id", "group_id"
        ),
        *TeacherProposal.objects.filter(teacher__in=users.values()).values_list(
            "teacher_id", "group_id"
        ),
    }
    past = planning.file.school_year < school_year_of(planning.today)
    seen: dict[str, str] = {}
    for teacher in planning.file.teachers:
        name = " ".join(
            part
            for part in (teacher.given or teacher.first_names, teacher.prefix, teacher.surname)
            if part
        )[:MAX_FULL_NAME]
        record = RecordAction(kind="teacher", key=teacher.key, label=name or teacher.key)
        planning.preview.teachers.append(record)
        email = teacher.email.strip().lower()
        if not email:
            record.skip()
            record.warnings.append(
                _(
                    "No email address in the file: nothing is proposed. The director gives "
                    "teachers their groups on the staff page."
                )
            )
            continue
        try:
            validate_email(email)
        except ValidationError:
            record.skip()
            record.warnings.append(
                _("%(email)s is not a valid email address: nothing is proposed.") % {"email": email}
            )
            continue
        if email in seen:
            record.skip(
                _("Teacher %(key)s in the file has the same email address.") % {"key": seen[email]}
            )
            continue
        seen[email] = teacher.key
        targets = []
        for key in dict.fromkeys(teacher.group_keys):
            plan = planning.group_plans[key]
            if plan.action == SKIP:
                record.warnings.append(
                    _("Their group %(group)s is not imported: nothing is proposed for it.")
                    % {"group": plan.label}
                )
            else:
                targets.append(plan)
        user = users.get(email)
        if user is None:
            record.skip()
            record.warnings.append(
                _(
                    "No teacher of %(school)s has the email address %(email)s: nothing is "
                    "proposed. An import creates no accounts and gives no roles."
                )
                % {"school": planning.school.name, "email": email}
            )
            continue
        if not targets:
            record.skip()
            record.warnings.append(
                _("None of this teacher's groups is imported: nothing is proposed.")
            )
            record.detail = {"user": user, "groups": []}
            continue
        if past:
            record.skip()
            record.warnings.append(
                _("The file's school year has passed: no groups are proposed for this teacher.")
            )
            record.detail = {"user": user, "groups": []}
            continue
        new = [
            plan
            for plan in targets
            if plan.detail["group"] is None or (user.pk, plan.detail["group"].pk) not in taken
        ]
        record.action = PROPOSE if new else UNCHANGED
        record.changes.extend(
            _(
                "Proposed to the director: %(email)s teaches %(group)s. The director "
                "confirms this on the staff page."
            )
            % {"email": email, "group": plan.label}
            for plan in new
        )
        if not new:
            record.changes.append(
                _("Already a teacher of these groups, or proposed before: nothing new is proposed.")
            )
        record.detail = {"user": user, "groups": new}
