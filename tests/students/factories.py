import datetime

import factory
from django.utils import timezone

from accounts.constants import Role
from accounts.models import User
from students.constants import Sex
from students.models import Board, Group, Guardian, Guardianship, Placement, School, Student
from students.services import (
    guardian_link,
    privacy_officer_assign_to_board,
    role_grant,
    staff_assign_to_school,
    teacher_assign_to_group,
)

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@school.example")
    full_name = factory.Faker("name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class BoardFactory(factory.django.DjangoModelFactory[Board]):
    class Meta:
        model = Board
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Stichting {n}")


class SchoolFactory(factory.django.DjangoModelFactory[School]):
    class Meta:
        model = School

    board = factory.SubFactory(BoardFactory)
    name = factory.Sequence(lambda n: f"School {n}")
    brin = factory.Sequence(lambda n: f"{n:02d}ZZ"[-4:])


def _current_year() -> int:
    from students.models import school_year_of

    return school_year_of(timezone.localdate())


class GroupFactory(factory.django.DjangoModelFactory[Group]):
    class Meta:
        model = Group

    school = factory.SubFactory(SchoolFactory)
    year_group_low = 3
    year_group_high = factory.SelfAttribute("year_group_low")
    name = factory.LazyAttributeSequence(lambda o, n: f"Groep {o.year_group_low} ({n})")
    school_year = factory.LazyFunction(_current_year)

    class Params:
        combination = factory.Trait(
            year_group_high=factory.LazyAttribute(lambda o: o.year_group_low + 1)
        )


class StudentFactory(factory.django.DjangoModelFactory[Student]):
    class Meta:
        model = Student
        skip_postgeneration_save = True

    group = factory.SubFactory(GroupFactory)
    school = factory.SelfAttribute("group.school")
    first_names = factory.Faker("first_name", locale="nl_NL")
    given_name = factory.SelfAttribute("first_names")
    surname = factory.Faker("last_name", locale="nl_NL")
    date_of_birth = datetime.date(2019, 5, 1)
    sex = Sex.FEMALE
    year_group = factory.SelfAttribute("group.year_group_low")
    enrolled_on = datetime.date(2023, 8, 21)
    street = "Schoolstraat"
    house_number = "1"
    postal_code = "1234 AB"
    city = "Amsterdam"
    bsn = "111222333"

    @factory.post_generation
    def placement(obj, create, extracted, **kwargs):  # noqa: N805
        if create and obj.group_id:
            Placement.objects.create(
                student=obj,
                group=obj.group,
                school_year=obj.group.school_year,
                started_on=obj.enrolled_on,
            )

    class Params:
        withdrawn = factory.Trait(
            group=None,
            school=factory.SubFactory(SchoolFactory),
            year_group=4,
            withdrawn_on=datetime.date(2024, 6, 30),
            withdrawal_destination="primary_school",
        )


class GuardianFactory(factory.django.DjangoModelFactory[Guardian]):
    class Meta:
        model = Guardian

    first_name = factory.Faker("first_name", locale="nl_NL")
    surname = factory.Faker("last_name", locale="nl_NL")
    email = factory.Sequence(lambda n: f"guardian{n}@home.example")
    phone = "06-12345678"
    address = "Thuisweg 1, Amsterdam"


def make_staff(
    role: Role,
    *,
    school: School | None = None,
    group: Group | None = None,
    board: Board | None = None,
    **kwargs,
) -> User:
    user = UserFactory.create(**kwargs)
    if role == Role.TEACHER:
        assert group is not None, "a teacher teaches a group"
        teacher_assign_to_group(teacher=user, group=group)
    elif role == Role.PRIVACY_OFFICER:
        assert board is not None, "a privacy officer serves a board"
        privacy_officer_assign_to_board(user=user, board=board)
    else:
        assert school is not None, "staff work at a school"
        staff_assign_to_school(user=user, school=school, role=role)
    return user


def make_guardian_user(
    *students: Student, has_authority: bool = True, confidential: bool = False, **kwargs
) -> User:
    user = UserFactory.create(**kwargs)
    guardian = GuardianFactory.create(
        user=user, email=user.email, contact_confidential=confidential
    )
    role_grant(user=user, role=Role.GUARDIAN)
    for student in students:
        if student.withdrawn_on is not None:
            # A former pupil's parent was linked while the child was at the school: the
            # service refuses a new guardian for a pupil who left (students/services/former.py).
            link_guardian(guardian, student, has_authority=has_authority)
            continue
        guardian_link(actor=None, guardian=guardian, student=student, has_authority=has_authority)
    return user


def link_guardian(guardian: Guardian, student: Student, has_authority: bool = True):
    return Guardianship.objects.create(
        guardian=guardian, student=student, has_authority=has_authority
    )
