"""Appoint the board's privacy officer on a server (idempotent)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.constants import Role
from accounts.models import User
from accounts.services import email_normalise
from students.models import Board
from students.services import privacy_officer_assign_to_board


class Command(BaseCommand):
    help = (
        "Give the privacy officer account of a school board its oversight of every school of "
        "the board: a new account, or an existing account that already is a privacy officer "
        "(any other existing account is refused). Set the password afterwards with "
        "`changepassword EMAIL`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--board", required=True, help="Name of the existing school board")
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="")

    @transaction.atomic
    def handle(self, *args, board, email, name, **options):
        board_obj = Board.objects.filter(name=board.strip()).first()
        if board_obj is None:
            raise CommandError(
                f"There is no school board named {board.strip()!r}; set up its first school "
                "with school_setup."
            )
        email = email_normalise(email)
        if not email or "@" not in email:
            raise CommandError("Give the privacy officer's email address.")
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, None, full_name=name.strip())
        elif not (user.is_active and user.has_role(Role.PRIVACY_OFFICER)):
            # Never turn an existing account (a director's, a parent's) into the board's
            # privacy officer by its email address: only a new account or one that already is.
            raise CommandError(
                f"An account with the address {email} already exists and is not a privacy "
                "officer; give the privacy officer an address of their own."
            )
        privacy_officer_assign_to_board(user=user, board=board_obj)
        self.stdout.write(
            self.style.SUCCESS(
                f"Privacy officer account {user.pk} oversees the {board_obj.schools.count()} "
                f"school(s) of {board_obj.name}. Set its password: manage.py changepassword {email}"
            )
        )
