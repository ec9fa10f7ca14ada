"""Create a board, a school and its first director on a new server (idempotent)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.constants import Role
from accounts.models import User
from students.models import Board, School
from students.services import school_create, staff_assign_to_school


class Command(BaseCommand):
    help = (
        "Create (or reuse) a school board and school, and give the director account its school "
        "scope: a new account, or an existing account that already is a director (any other "
        "existing account is refused). Set the director's password afterwards with "
        "`changepassword EMAIL`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--board", required=True, help="Name of the school board")
        parser.add_argument("--school", required=True, help="Name of the school")
        parser.add_argument("--brin", required=True, help="BRIN code (4 characters)")
        parser.add_argument("--director-email", required=True)
        parser.add_argument("--director-name", default="")

    @transaction.atomic
    def handle(self, *args, board, school, brin, director_email, director_name, **options):
        brin = brin.strip().upper()
        if len(brin) != 4 or not brin.isalnum():
            raise CommandError("A BRIN code has exactly 4 letters or digits.")
        board_obj, _ = Board.objects.get_or_create(name=board.strip())
        school_obj = School.objects.filter(brin=brin).first()
        if school_obj is None:
            school_obj = school_create(board=board_obj, name=school.strip(), brin=brin)
        elif school_obj.board_id != board_obj.pk:
            raise CommandError(f"BRIN {brin} already belongs to another board.")
        email = director_email.strip().lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, None, full_name=director_name)
        elif not (user.is_active and user.has_role(Role.DIRECTOR)):
            # Never turn an existing account (a parent's, a teacher's) into a director by its
            # email address: only a new account or one that already is a director.
            raise CommandError(
                f"An account with the address {email} already exists and is not a director; "
                "give the director an address of their own."
            )
        staff_assign_to_school(user=user, school=school_obj, role=Role.DIRECTOR)
        # Imported here: consent and retention build on students, not the other way round.
        from consent.services import purposes_seed

        purposes_seed(school=school_obj, user=user)
        from retention.services import rules_seed

        rules_seed(school=school_obj)
        self.stdout.write(
            self.style.SUCCESS(
                f"School {school_obj.pk} ({brin}) ready; director account {user.pk}. "
                f"Set its password: manage.py changepassword {email}"
            )
        )
