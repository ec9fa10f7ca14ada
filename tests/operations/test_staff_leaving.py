"""A staff member leaves: the account ends at once (token, sessions, permissions, teaching,
roles) while the account row and its history in the audit trail stay."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts.constants import STAFF_ROLES, Role
from accounts.services import token_issue
from audit.constants import Action
from audit.models import AccessEvent
from students.models import (
    GroupTeacher,
    GroupUserObjectPermission,
    SchoolUserObjectPermission,
    StaffDeactivation,
)
from students.selectors import students_visible_to
from students.services import teacher_assign_to_group
from students.services.invitations import InvitationError
from students.services.reads import student_open_for
from students.services.staff import staff_deactivate


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user)}")
    return client


def test_token_answers_401_at_once_when_teacher_deactivated(world):
    teacher = world.users["teacher"]
    api = _token_client(teacher)
    url = reverse("api:student-list")
    assert api.get(url).status_code == 200

    staff_deactivate(user=world.users["director"], staff=teacher, school=world.school)

    assert api.get(url).status_code == 401
    assert api.get(reverse("api:student-detail", args=[world.pupil3.pk])).status_code == 401


def test_session_is_logged_out_on_its_next_request_when_director_deactivates(world, client):
    teacher = world.users["teacher"]
    director_client = type(client)()
    director_client.force_login(world.users["director"])
    client.force_login(teacher)
    page = reverse("student-detail", args=[world.pupil3.pk])
    assert client.get(page).status_code == 200

    response = director_client.post(
        reverse("accounts:staff-deactivate", args=[teacher.pk]), {"confirm": "on"}
    )

    assert response.status_code == 302
    after = client.get(page)
    assert after.status_code == 302
    assert after.url.startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    # The one who pressed the button is still logged in.
    assert director_client.get(reverse("accounts:staff")).status_code == 200


def test_permissions_roles_and_teaching_end_when_staff_deactivated(world):
    director = world.users["director"]
    staff = world.users["administration"]
    # Administration who also teaches Groep 5: both kinds of scope must go.
    teacher_assign_to_group(teacher=staff, group=world.group5, actor=director)
    student_open_for(user=staff, student_id=world.pupil3.pk)
    earlier = list(AccessEvent.objects.filter(actor_id=staff.pk).values_list("pk", flat=True))
    assert SchoolUserObjectPermission.objects.filter(user=staff).exists()
    assert GroupUserObjectPermission.objects.filter(user=staff).exists()
    assert earlier

    staff_deactivate(user=director, staff=staff, school=world.school)

    staff.refresh_from_db()
    assert staff.is_active is False
    assert not staff.has_usable_password()
    assert not SchoolUserObjectPermission.objects.filter(user=staff).exists()
    assert not GroupUserObjectPermission.objects.filter(user=staff).exists()
    assert not GroupTeacher.objects.filter(teacher=staff).exists()
    assert not staff.groups.filter(name__in=STAFF_ROLES).exists()
    del staff._role_names
    assert not students_visible_to(staff).exists()
    deactivation = StaffDeactivation.objects.get(user=staff)
    assert (deactivation.school, deactivation.by) == (world.school, director)
    assert sorted(deactivation.roles) == sorted([Role.ADMINISTRATION, Role.TEACHER])
    event = AccessEvent.objects.get(object_type="staff_deactivation", object_id=str(staff.pk))
    assert (event.actor_id, event.action, event.school_id) == (
        director.pk,
        Action.UPDATE,
        world.school.pk,
    )
    # The account's history stays.
    assert set(earlier) <= set(
        AccessEvent.objects.filter(actor_id=staff.pk).values_list("pk", flat=True)
    )
    # Others keep what they had.
    assert set(students_visible_to(world.users["teacher"]).values_list("pk", flat=True)) == {
        world.pupil3.pk
    }


def test_deactivation_is_refused_when_director_deactivates_themselves(world):
    director = world.users["director"]

    with pytest.raises(InvitationError):
        staff_deactivate(user=director, staff=director, school=world.school)

    director.refresh_from_db()
    assert director.is_active is True
    assert SchoolUserObjectPermission.objects.filter(user=director).exists()
    assert not StaffDeactivation.objects.filter(user=director).exists()
    assert not AccessEvent.objects.filter(object_type="staff_deactivation").exists()


def test_own_account_stays_when_director_posts_their_own_deactivation(world, client):
    director = world.users["director"]
    client.force_login(director)

    client.post(reverse("accounts:staff-deactivate", args=[director.pk]), {"confirm": "on"})

    director.refresh_from_db()
    assert director.is_active is True
    assert client.get(reverse("accounts:staff")).status_code == 200


def test_refused_and_account_kept_when_the_colleague_also_works_at_another_school(world):
    from tests.students.factories import make_staff

    both = make_staff(Role.TEACHER, group=world.group3)
    teacher_assign_to_group(teacher=both, group=world.other_group)

    with translation.override("en"), pytest.raises(InvitationError, match="another school"):
        staff_deactivate(user=world.users["director"], staff=both, school=world.school)

    both.refresh_from_db()
    assert both.is_active
    assert world.pupil3 in students_visible_to(both)
    assert world.other_pupil in students_visible_to(both)
    assert not StaffDeactivation.objects.filter(user=both).exists()
