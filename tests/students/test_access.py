"""Scope and field-level access through the selectors and the pages/API built on them."""

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.constants import Role
from students.constants import WithdrawalDestination
from students.selectors import student_access_for, students_visible_to
from students.services import student_move, student_withdraw, teacher_remove_from_group
from students.services.reads import student_open_for

from .factories import GroupFactory, GuardianFactory, StudentFactory, link_guardian, make_staff


def _ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_teacher_sees_only_own_group_when_listing(world):
    teacher = world.users["teacher"]
    assert _ids(students_visible_to(teacher)) == {world.pupil3.pk}


def test_school_roles_see_the_whole_school_and_not_the_other_when_listing(world):
    for role in ("director", "administration", "care_coordinator"):
        assert _ids(students_visible_to(world.users[role])) == {world.pupil3.pk, world.pupil5.pk}, (
            role
        )


def test_guardian_sees_only_own_children_when_listing(world):
    assert _ids(students_visible_to(world.users["guardian"])) == {world.pupil3.pk}


def test_privacy_officer_sees_no_pupils_when_listing(world):
    assert _ids(students_visible_to(world.users["privacy_officer"])) == set()


def test_director_of_other_school_gets_404_when_opening_pupil(world):
    director2 = make_staff(Role.DIRECTOR, school=world.other_school)
    with pytest.raises(Http404):
        student_open_for(user=director2, student_id=world.pupil3.pk)
    assert student_open_for(user=director2, student_id=world.other_pupil.pk) == world.other_pupil


def test_move_is_refused_when_year_group_does_not_fit(world):
    from students.exceptions import PlacementError

    with pytest.raises(PlacementError):
        student_move(actor=None, student=world.pupil3, group=world.group5)


def test_scope_follows_the_pupil_at_once_when_moved(world):
    teacher = world.users["teacher"]
    other_group3 = GroupFactory.create(school=world.school, name="Groep 3b", year_group_low=3)
    student_move(actor=world.users["administration"], student=world.pupil3, group=other_group3)
    assert world.pupil3.pk not in _ids(students_visible_to(teacher))
    other_teacher = make_staff(Role.TEACHER, group=other_group3)
    assert world.pupil3.pk in _ids(students_visible_to(other_teacher))
    history = list(world.pupil3.placements.order_by("started_on", "id"))
    assert [p.group_id for p in history] == [world.group3.pk, other_group3.pk]
    assert history[0].ended_on is not None and history[1].ended_on is None


def test_teacher_loses_scope_when_removed_from_group(world):
    teacher = world.users["teacher"]
    teacher_remove_from_group(teacher=teacher, group=world.group3)
    assert _ids(students_visible_to(teacher)) == set()


def test_withdrawn_pupil_leaves_the_list_and_teacher_scope_when_withdrawn(world):
    student_withdraw(
        actor=None,
        student=world.pupil3,
        on=timezone.localdate(),
        destination=WithdrawalDestination.SPECIAL_EDUCATION,
    )
    director = world.users["director"]
    assert world.pupil3.pk not in _ids(students_visible_to(director))
    assert world.pupil3.pk in _ids(students_visible_to(director, only_former=True))
    assert world.pupil3.pk not in _ids(
        students_visible_to(world.users["teacher"], include_former=True)
    )


def test_bsn_only_for_director_administration_and_guardian_with_authority(world):
    expected = {
        "director": True,
        "administration": True,
        "care_coordinator": False,
        "teacher": False,
        "guardian": True,
        "guardian_limited": False,
    }
    for role, allowed in expected.items():
        access = student_access_for(user=world.users[role], student=world.pupil3)
        assert access.bsn is allowed, role


def test_contact_data_hidden_when_guardian_has_no_authority(world):
    limited = student_access_for(user=world.users["guardian_limited"], student=world.pupil3)
    assert not limited.contact and not limited.guardians
    full = student_access_for(user=world.users["guardian"], student=world.pupil3)
    assert full.contact and full.guardians


def test_api_detail_omits_bsn_when_caller_is_teacher(world, api):
    url = reverse("api:student-detail", args=[world.pupil3.pk])
    api.force_login(world.users["teacher"])
    teacher_payload = api.get(url).json()
    assert "bsn" not in teacher_payload
    assert teacher_payload["address"]
    api.force_login(world.users["administration"])
    assert api.get(url).json()["bsn"] == "111222333"


def test_api_detail_shows_basics_only_when_guardian_has_no_authority(world, api):
    api.force_login(world.users["guardian_limited"])
    payload = api.get(reverse("api:student-detail", args=[world.pupil3.pk])).json()
    assert payload["first_name"] == "Tim" and payload["last_name"] == "de Vries"
    assert not {"bsn", "address", "guardians"} & set(payload)


def test_confidential_contact_hidden_from_other_guardian_but_not_from_staff(world, api):
    hidden = GuardianFactory.create(email="secret@home.example", contact_confidential=True)
    link_guardian(hidden, world.pupil3)
    url = reverse("api:student-detail", args=[world.pupil3.pk])

    api.force_login(world.users["guardian"])
    seen = {g["id"]: g for g in api.get(url).json()["guardians"]}
    assert seen[hidden.pk]["contact_hidden"] is True
    assert seen[hidden.pk]["email"] == "" and seen[hidden.pk]["phone"] == ""

    api.force_login(world.users["director"])
    seen = {g["id"]: g for g in api.get(url).json()["guardians"]}
    assert seen[hidden.pk]["email"] == "secret@home.example"
    assert seen[hidden.pk]["contact_confidential"] is True


def test_confidential_contact_not_on_page_when_other_guardian_looks(world, client):
    hidden = GuardianFactory.create(
        email="secret@home.example", phone="06-99999999", contact_confidential=True
    )
    link_guardian(hidden, world.pupil3)
    client.force_login(world.users["guardian"])
    html = client.get(reverse("child-detail", args=[world.pupil3.pk])).content.decode()
    assert hidden.display_name in html
    assert "secret@home.example" not in html and "06-99999999" not in html


def test_list_holds_former_pupils_only_when_asked(world, api):
    former = StudentFactory.create(withdrawn=True, school=world.school)
    api.force_login(world.users["director"])
    current = {r["id"] for r in api.get(reverse("api:student-list")).json()["results"]}
    assert former.pk not in current and world.pupil3.pk in current
    old = api.get(reverse("api:student-list"), {"former": "true"}).json()["results"]
    assert [r["id"] for r in old] == [former.pk]
    assert old[0]["group"] is None


def test_api_list_has_the_fixed_shape(world, api):
    api.force_login(world.users["teacher"])
    body = api.get(reverse("api:student-list")).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["results"] == [
        {
            "id": world.pupil3.pk,
            "first_name": "Tim",
            "last_name": "de Vries",
            "group": {"id": world.group3.pk, "name": "Groep 3"},
            "school": {"id": world.school.pk, "name": "OBS Samen Een"},
        }
    ]


def test_page_search_and_group_filter_narrow_the_list(world, client):
    client.force_login(world.users["director"])

    def listed(**params):
        page = client.get(reverse("student-list"), params).context["page"]
        return {student.pk for student in page.object_list}

    # Compare the listed rows, not the whole page: other names come from Faker, so the
    # searched name is one Faker never makes.
    world.pupil5.given_name = "Qwerzia"
    world.pupil5.save(update_fields=["given_name"])
    assert listed(q="qwerz") == {world.pupil5.pk}
    assert listed(group=world.group3.pk) == {world.pupil3.pk}


def test_search_matches_only_the_names_shown_not_the_official_first_names(world, client, api):
    """Searching "Milan" found a pupil called by another name whose official first names
    held "Milan", which no list shows: the search matches the names shown only."""
    world.pupil5.given_name, world.pupil5.first_names = "Qwerzia", "Milanqx Qwerzia"
    world.pupil5.save(update_fields=["given_name", "first_names"])
    world.pupil3.first_names = "Timothy Qwerzia"
    world.pupil3.save(update_fields=["first_names"])
    client.force_login(world.users["director"])
    api.force_login(world.users["director"])

    def listed(q):
        page = client.get(reverse("student-list"), {"q": q})
        return {student.pk for student in page.context["page"].object_list}

    def found(q):
        answer = api.get(reverse("api:student-list"), {"search": q}).json()
        return {row["id"] for row in answer["results"]}

    for search in (listed, found):
        assert search("milanqx") == set()
        assert search("qwerzia") == {world.pupil5.pk}
        assert search("tim de vries") == {world.pupil3.pk}


def test_guardian_without_account_link_is_not_a_guardian_of_others(world):
    other_parent = GuardianFactory.create()
    link_guardian(other_parent, world.pupil5)
    assert _ids(students_visible_to(world.users["guardian"])) == {world.pupil3.pk}


def test_child_page_offers_online_requests_only_to_a_guardian_with_authority(world, client):
    create = reverse("request-create")
    client.force_login(world.users["guardian"])
    page = client.get(reverse("child-detail", args=[world.pupil3.pk])).content.decode()
    assert f'href="{create}?child={world.pupil3.pk}"' in page

    client.force_login(world.users["guardian_limited"])
    page = client.get(reverse("child-detail", args=[world.pupil3.pk])).content.decode()
    assert create not in page
