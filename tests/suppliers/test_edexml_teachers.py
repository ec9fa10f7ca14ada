"""An EDEXML import never creates accounts and never grants anything: for teachers in the file
it only proposes groups, and only for accounts that already teach at the school; the director
confirms or dismisses each proposal on the staff page."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from accounts.constants import Role
from accounts.models import User
from audit.models import AccessEvent
from students.edexml.applying import edexml_import
from students.edexml.planning import edexml_preview
from students.models import (
    Group,
    GroupTeacher,
    GroupUserObjectPermission,
    SchoolUserObjectPermission,
    TeacherProposal,
)
from students.services import role_grant
from tests.students.factories import (
    BoardFactory,
    GroupFactory,
    GuardianFactory,
    SchoolFactory,
    StudentFactory,
    link_guardian,
    make_guardian_user,
    make_staff,
)

EXAMPLE = (
    settings.BASE_DIR / "students" / "edexml" / "schema" / "EDEXML.Voorbeeld.2.1.xml"
).read_bytes()
TODAY = datetime.datetime(2024, 10, 7, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture(autouse=True)
def _frozen_english():
    """Monday 7 October 2024, in the school year 2024-2025 (the last one the published EDEXML
    2.1 schema knows); the assertions read English text."""
    with freeze_time(TODAY), translation.override("en"):
        yield


def _teacher(key: str, name: str, email: str, groups: tuple[str, ...]) -> str:
    refs = "".join(f'<groep key="{group}"/>' for group in groups)
    return (
        f'<leerkracht key="{key}"><achternaam>{name}</achternaam>'
        f"<voorletters-1>X</voorletters-1><roepnaam>{name}</roepnaam>"
        f"<emailadres>{email}</emailadres><groepen>{refs}</groepen></leerkracht>"
    )


def _file(teachers: list[tuple[str, str, str, tuple[str, ...]]]) -> bytes:
    """The example file, for this school year, with these teachers."""
    text = EXAMPLE.decode()
    start, end = text.index("<leerkrachten>"), text.index("</leerkrachten>")
    block = "".join(_teacher(*teacher) for teacher in teachers)
    text = f"{text[:start]}<leerkrachten>{block}{text[end:]}"
    text = text.replace("<schooljaar>2014-2015</schooljaar>", "<schooljaar>2024-2025</schooljaar>")
    return text.encode()


class Scene:
    """A school whose file names: (a) a guardian-only account, (b) the importer's own account,
    (c) a teacher of the school, (c2) a teacher of the school who is also a parent there,
    (d) a teacher of another school of the board, (e) an address without an account."""

    def __init__(self):
        board = BoardFactory.create(name="Stichting Import")
        self.school = SchoolFactory.create(board=board, name="OBS Import", brin="12AB")
        self.other_school = SchoolFactory.create(board=board, name="OBS Elders", brin="34CD")
        group7 = GroupFactory.create(school=self.school, name="Groep 7", year_group_low=7)
        pupil = StudentFactory.create(group=group7)
        self.admin = make_staff(Role.ADMINISTRATION, school=self.school, email="b@import.example")
        self.director = make_staff(Role.DIRECTOR, school=self.school, email="dir@import.example")
        self.other_director = make_staff(
            Role.DIRECTOR, school=self.other_school, email="dir@elders.example"
        )
        self.guardian = make_guardian_user(pupil, email="a@home.example")
        self.teacher = make_staff(Role.TEACHER, group=group7, email="c@import.example")
        self.teacher_parent = make_staff(Role.TEACHER, group=group7, email="c2@import.example")
        guardian = GuardianFactory.create(user=self.teacher_parent, email=self.teacher_parent.email)
        role_grant(user=self.teacher_parent, role=Role.GUARDIAN)
        link_guardian(guardian, pupil)
        self.elsewhere = make_staff(
            Role.TEACHER,
            group=GroupFactory.create(school=self.other_school, year_group_low=4),
            email="d@elders.example",
        )
        self.data = _file(
            [
                ("A", "Ouder", "A@Home.example", ("GRP4A",)),
                ("B", "Zelf", "b@import.example", ("GRP4A", "GRP4B")),
                ("C", "Leerkracht", "c@import.example", ("GRP4A",)),
                ("C2", "Ouderleerkracht", "c2@import.example", ("GRP4B",)),
                ("D", "Elders", "d@elders.example", ("GRP4A",)),
                ("E", "Onbekend", "e@nowhere.example", ("GRP4B",)),
            ]
        )


@pytest.fixture
def scene(db) -> Scene:
    return Scene()


def _grants() -> dict:
    """Every account, role, permission and teaching assignment there is."""
    return {
        "accounts": sorted(User.objects.values_list("pk", "email", "is_active")),
        "roles": sorted(User.groups.through.objects.values_list("user_id", "group__name")),
        "global": sorted(User.user_permissions.through.objects.values_list("user_id", "pk")),
        "school": sorted(
            SchoolUserObjectPermission.objects.values_list(
                "user_id", "content_object_id", "permission_id"
            )
        ),
        "group": sorted(
            GroupUserObjectPermission.objects.values_list(
                "user_id", "content_object_id", "permission_id"
            )
        ),
        "teaching": sorted(GroupTeacher.objects.values_list("teacher_id", "group_id")),
    }


def _proposed() -> set[tuple[str, str]]:
    return set(TeacherProposal.objects.values_list("teacher__email", "group__source_key"))


def test_import_creates_no_account_and_grants_nothing_when_file_names_existing_accounts(scene):
    before = _grants()
    preview = edexml_preview(scene.data, school=scene.school)
    records = {record.key: record for record in preview.teachers}
    assert {key: record.action for key, record in records.items()} == {
        "A": "skip",
        "B": "skip",
        "C": "propose",
        "C2": "propose",
        "D": "skip",
        "E": "skip",
    }
    # The same words for every address that is not a teacher of the school: the preview tells
    # nothing about a parent's account or a teacher elsewhere.
    for key, email in (
        ("A", "a@home.example"),
        ("B", "b@import.example"),
        ("D", "d@elders.example"),
        ("E", "e@nowhere.example"),
    ):
        assert records[key].warnings == [
            f"No teacher of OBS Import has the email address {email}: nothing is proposed. "
            "An import creates no accounts and gives no roles."
        ]
    assert records["C"].changes == [
        "Proposed to the director: c@import.example teaches 4A. The director confirms this on "
        "the staff page."
    ]
    assert preview.proposed_groups == 2

    result = edexml_import(scene.data, school=scene.school, actor=scene.admin)

    after = _grants()
    assert after["accounts"] == before["accounts"]  # no account made, none deactivated
    assert after == before  # no role, no permission, no group for anyone
    assert _proposed() == {("c@import.example", "GRP4A"), ("c2@import.example", "GRP4B")}
    assert result.teacher_ids == {"C": scene.teacher.pk, "C2": scene.teacher_parent.pk}
    assert result.proposed_groups == 2
    assert result.counts()["teachers"] == {"propose": 2, "unchanged": 0, "skip": 4}
    proposal = TeacherProposal.objects.get(teacher=scene.teacher)
    assert (proposal.school, proposal.proposed_by, proposal.decision) == (
        scene.school,
        scene.admin,
        "",
    )
    assert (
        AccessEvent.objects.filter(
            object_type="teacher_proposal", action="create", actor_id=scene.admin.pk
        ).count()
        == 2
    )
    # What the old import did, and no longer does: the parent and the importer became teachers.
    for user in (scene.guardian, scene.admin):
        assert not User.objects.get(pk=user.pk).has_role(Role.TEACHER)
    for user in (scene.guardian, scene.admin, scene.elsewhere):
        assert not GroupTeacher.objects.filter(teacher=user, group__school=scene.school).exists()


def test_second_import_proposes_nothing_again_when_proposals_exist_or_were_dismissed(scene):
    edexml_import(scene.data, school=scene.school, actor=scene.admin)
    proposal = TeacherProposal.objects.get(teacher=scene.teacher_parent)
    from students.services.staff import teacher_proposal_dismiss

    teacher_proposal_dismiss(user=scene.director, proposal=proposal)
    count = TeacherProposal.objects.count()

    again = edexml_import(scene.data, school=scene.school, actor=scene.admin)

    assert TeacherProposal.objects.count() == count
    assert {r.key: r.action for r in again.preview.teachers}["C"] == "unchanged"
    assert {r.key: r.action for r in again.preview.teachers}["C2"] == "unchanged"
    assert again.proposal_ids == {}


def test_teacher_gets_group_only_when_director_confirms_and_others_cannot(scene, client):
    edexml_import(scene.data, school=scene.school, actor=scene.admin)
    proposal = TeacherProposal.objects.get(teacher=scene.teacher)
    group = Group.objects.get(school=scene.school, source_key="GRP4A")
    confirm = reverse("accounts:teacher-proposal-confirm", args=[proposal.pk])
    dismiss = reverse("accounts:teacher-proposal-dismiss", args=[proposal.pk])
    before = _grants()

    # Another role has no say over staff (403); another school's director cannot see it (404).
    for user, status in (
        (scene.admin, 403),
        (scene.teacher, 403),
        (scene.guardian, 403),
        (scene.other_director, 404),
    ):
        client.force_login(user)
        assert client.post(confirm).status_code == status, user.email
        assert client.post(dismiss).status_code == status, user.email
    assert _grants() == before
    proposal.refresh_from_db()
    assert proposal.decision == ""

    client.force_login(scene.director)
    page = client.get(reverse("accounts:staff"))
    assert page.status_code == 200
    assert confirm in page.content.decode()
    response = client.post(confirm)

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.decision, proposal.decided_by) == ("confirmed", scene.director)
    assert GroupTeacher.objects.filter(teacher=scene.teacher, group=group).exists()
    teacher = User.objects.get(pk=scene.teacher.pk)
    assert teacher.has_perm("students.view_group_pupils", group)
    assert teacher.role_names == {Role.TEACHER}  # no role added: it already was a teacher
    events = AccessEvent.objects.filter(actor_id=scene.director.pk)
    assert events.filter(object_type="group_teacher", action="create").count() == 1
    assert events.filter(object_type="teacher_proposal", action="update").count() == 1
    # Decided once: a second press changes nothing.
    client.post(confirm)
    assert GroupTeacher.objects.filter(teacher=scene.teacher).count() == 2
    assert confirm not in client.get(reverse("accounts:staff")).content.decode()


def test_dismissed_proposal_assigns_nothing_when_director_dismisses(scene, client):
    edexml_import(scene.data, school=scene.school, actor=scene.admin)
    proposal = TeacherProposal.objects.get(teacher=scene.teacher_parent)
    before = _grants()
    client.force_login(scene.director)

    response = client.post(reverse("accounts:teacher-proposal-dismiss", args=[proposal.pk]))

    assert response.status_code == 302
    assert _grants() == before
    proposal.refresh_from_db()
    assert proposal.decision == "dismissed"
    client.post(reverse("accounts:teacher-proposal-confirm", args=[proposal.pk]))
    assert _grants() == before  # a dismissed proposal cannot be confirmed afterwards


def test_confirm_is_refused_when_account_no_longer_teaches_at_the_school(scene, client):
    from students.services.staff import staff_deactivate

    edexml_import(scene.data, school=scene.school, actor=scene.admin)
    proposal = TeacherProposal.objects.get(teacher=scene.teacher)
    staff_deactivate(user=scene.director, staff=scene.teacher, school=scene.school)
    before = _grants()
    client.force_login(scene.director)

    client.post(reverse("accounts:teacher-proposal-confirm", args=[proposal.pk]))

    assert _grants() == before
    proposal.refresh_from_db()
    assert proposal.decision == ""


def test_proposal_service_refuses_an_account_that_is_not_a_teacher_of_the_school(scene):
    from students.services.staff import StaffError, teacher_proposals_record

    group = GroupFactory.create(school=scene.school, year_group_low=4)
    for user in (scene.guardian, scene.admin, scene.elsewhere, scene.director):
        with pytest.raises(StaffError):
            teacher_proposals_record(
                actor=scene.admin, school=scene.school, teacher=user, groups=[group]
            )
    assert not TeacherProposal.objects.exists()


def test_import_page_says_what_it_proposes_and_that_the_director_confirms(
    scene, client, django_capture_on_commit_callbacks
):
    client.force_login(scene.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the sentences below are English
    url = reverse("edexml-import")
    upload = SimpleUploadedFile("school.xml", scene.data, content_type="text/xml")
    before = _grants()

    with django_capture_on_commit_callbacks(execute=True):  # the check runs as a job
        uploaded = client.post(url, {"school": scene.school.pk, "file": upload})
    preview = client.get(uploaded["Location"])

    assert preview.status_code == 200
    text = preview.content.decode()
    assert "The import creates no accounts and gives no one a role or a group." in text
    assert "This file proposes 2 groups." in text
    assert "Proposed to the director: c@import.example teaches 4A." in text
    assert "<strong>proposed to the director</strong>" in text  # the action, in words
    with django_capture_on_commit_callbacks(execute=True):  # the import runs as a job
        applied = client.post(uploaded["Location"] + "apply/")
    result = client.get(applied["Location"])
    assert result.status_code == 200
    text = result.content.decode()
    assert "2 groups were proposed for teachers of the school." in text
    assert "No account was created and no one was given a role or a group." in text
    assert _grants() == before
    assert len(_proposed()) == 2


def test_staff_page_queries_do_not_grow_with_proposals(scene, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from students.services.staff import teacher_proposals_record

    client.force_login(scene.director)
    url = reverse("accounts:staff")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    def propose(teacher) -> None:
        teacher_proposals_record(
            actor=scene.admin,
            school=scene.school,
            teacher=teacher,
            groups=[GroupFactory.create(school=scene.school, year_group_low=6)],
        )

    propose(scene.teacher)
    one = queries()
    for n in range(30):
        propose(
            make_staff(
                Role.TEACHER,
                group=GroupFactory.create(school=scene.school, year_group_low=5),
                email=f"t{n}@import.example",
            )
        )
    assert TeacherProposal.objects.count() == 31
    assert queries() == one
