"""The demo loader: refused in production, idempotent, every account with its stated scope."""

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.models import User
from students.models import Group, Guardianship, School, Student
from students.selectors import (
    AccessResolver,
    students_visible_to,
)

DOMAIN = "samen-een.example"


@pytest.fixture
def demo(db):
    with override_settings(DEBUG=True):
        call_command("demo_data", verbosity=0)


def _user(local: str) -> User:
    return User.objects.get(email=f"{local}@{DOMAIN}")


def test_demo_data_is_refused_when_debug_is_off(db):
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_data")
    assert not User.objects.exists()


def test_demo_data_is_idempotent_when_loaded_twice(demo):
    counts = (Student.objects.count(), Guardianship.objects.count(), User.objects.count())
    with override_settings(DEBUG=True):
        call_command("demo_data", verbosity=0)
    assert (Student.objects.count(), Guardianship.objects.count(), User.objects.count()) == counts


def test_demo_school_has_groups_1_to_8_of_about_25_and_a_combination_school(demo):
    samen = School.objects.get(name="OBS Samen Een")
    for n in range(1, 9):
        group = Group.objects.filter(school=samen, name=f"Groep {n}").latest("school_year")
        assert 20 <= group.students.count() <= 30
    brug = School.objects.exclude(pk=samen.pk).get()
    assert brug.board == samen.board
    assert Group.objects.filter(
        school=brug, name="Groep 3/4", year_group_low=3, year_group_high=4
    ).exists()


def test_demo_accounts_see_their_stated_scope(demo):
    samen = School.objects.get(name="OBS Samen Een")
    brug = School.objects.exclude(pk=samen.pk).get()

    def visible(local):
        return students_visible_to(_user(local))

    for local in ("directeur", "administratie", "ib"):
        assert set(visible(local).values_list("school_id", flat=True)) == {samen.pk}
        assert visible(local).count() == 200
    assert set(visible("directeur2").values_list("school_id", flat=True)) == {brug.pk}
    for n in (3, 5):
        assert set(visible(f"leerkracht{n}").values_list("group__name", flat=True)) == {
            f"Groep {n}"
        }
    assert not visible("privacy").exists()

    ouder = sorted(visible("ouder").values_list("group__name", flat=True))
    assert ouder == ["Groep 3", "Groep 6"]
    shared = visible("ouder").get(group__name="Groep 3")
    assert list(visible("ouder2")) == [shared]
    assert list(visible("ouder3").values_list("group__name", flat=True)) == ["Groep 5"]

    # ouder2's contact data is confidential; ouder4 has no parental authority.
    assert shared.guardian_links.get(guardian__user=_user("ouder2")).guardian.contact_confidential
    child5 = visible("ouder3").get()
    assert AccessResolver(_user("ouder4")).for_student(child5).contact is False
    assert AccessResolver(_user("ib")).for_student(child5).bsn is False


def test_demo_pupils_have_two_guardians_sometimes(demo):
    from django.db.models import Count

    per_pupil = Student.objects.annotate(n=Count("guardian_links")).values_list("n", flat=True)
    assert {1, 2} <= set(per_pupil)


def test_school_setup_creates_school_and_director_with_scope_once(db):
    args = [
        "--board",
        "Stichting X",
        "--school",
        "OBS Y",
        "--brin",
        "99zz",
        "--director-email",
        "Dir@Y.example",
    ]
    call_command("school_setup", *args, stdout=None)
    call_command("school_setup", *args, stdout=None)
    school = School.objects.get(brin="99ZZ")
    director = User.objects.get(email="dir@y.example")
    assert director.has_role("director")
    assert director.has_perm("students.view_school_pupils", school)
    assert School.objects.count() == 1
    assert not director.has_usable_password()
    assert school.purposes.filter(code="website").exists()


def test_school_setup_refuses_a_malformed_brin(db):
    with pytest.raises(CommandError, match="BRIN"):
        call_command(
            "school_setup",
            "--board",
            "B",
            "--school",
            "S",
            "--brin",
            "12345",
            "--director-email",
            "d@s.example",
        )


def test_demo_story_ib_reads_dyslexia_teacher5_is_refused_parent_and_officer_see_it(demo):
    from rest_framework.test import APIClient

    def client(local):
        api = APIClient()
        api.force_authenticate(_user(local))
        return api

    child = students_visible_to(_user("ouder")).get(group__name="Groep 3")
    care_url = f"/api/v1/students/{child.pk}/care-records/"

    records = client("ib").get(care_url).json()
    assert any("Dyslexie" in r["content"] for r in records)
    assert client("leerkracht5").get(care_url).status_code == 404

    log = client("ouder").get(f"/api/v1/students/{child.pk}/access-log/").json()
    assert {"role": "care_coordinator", "data_kind": "care", "special_category": True} in [
        {k: e[k] for k in ("role", "data_kind", "special_category")} for e in log
    ]
    assert all(e["role"] != "teacher" for e in log)  # the refused attempt saw nothing

    events = (
        client("privacy")
        .get("/api/v1/audit-events/", {"student": child.pk, "special_category": "true"})
        .json()["results"]
    )
    assert sorted((e["role"], e["outcome"]) for e in events) == [
        ("care_coordinator", "allowed"),
        ("teacher", "denied"),
    ]
