"""Bring the object permissions in line with the role table (also done after every migrate)."""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from students.services import permissions_sync


class Command(BaseCommand):
    help = (
        "Create the missing School and Group permissions of the role table (students.permissions) "
        "and give everyone who holds a role at a school or group exactly the permissions of that "
        "role there. Idempotent; migrate runs it too."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database, **options):
        result = permissions_sync(using=database)
        self.stdout.write(
            "Permissions: {permissions} rows created or renamed, {granted} granted, "
            "{revoked} withdrawn.".format(**result)
        )
