"""Remove a staff member's second factor (lost phone and backup codes), so that at the next
login they set up a new one. Recorded in the audit trail; run by the school's administrator
after checking who is asking (in person or by a call back, never on an email alone)."""

from django.core.management.base import BaseCommand, CommandError

from accounts import mfa
from accounts.models import User


class Command(BaseCommand):
    help = "Remove a staff member's authenticator app and backup codes (they set up anew)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="the account's email address")
        parser.add_argument(
            "--by", required=True, help="email address of the administrator doing the reset"
        )

    def handle(self, *args, email, by, **options):
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(f"No account with the email address {email}.")
        actor = User.objects.filter(email=by.strip().lower(), is_active=True).first()
        if actor is None or not actor.is_school_staff:
            raise CommandError(f"--by {by} is not an active staff account.")
        removed = mfa.reset(user=user, by=actor)
        self.stdout.write(
            f"Second factor of {user.email} removed ({removed} device(s)), sessions and API "
            "token ended; they set up a new one at their next login."
        )
