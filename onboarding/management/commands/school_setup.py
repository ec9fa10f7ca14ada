"""Create a board, a school and its first director on a new server (idempotent)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.constants import Role
from accounts.models import User
from onboarding.services import (
    ProvisioningError,
    board_provision,
    school_of_brin,
    school_provision,
)


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
        board_obj = board_provision(name=board.strip())
        try:
            school_of_brin(board=board_obj, brin=brin)
        except ProvisioningError as exc:
            raise CommandError(exc.message) from exc
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
        school_obj = school_provision(
            board=board_obj, name=school.strip(), brin=brin, director=user
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"School {school_obj.pk} ({brin}) ready; director account {user.pk}. "
                f"Set its password: manage.py changepassword {email}"
            )
        )
