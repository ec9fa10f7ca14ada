"""Load the demo school board. Idempotent; refused when DEBUG is off."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.chain import chain_extend
from onboarding.demo.loader import load


class Command(BaseCommand):
    help = "Load the demo board, schools, pupils, guardians and the demo accounts (idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "demo_data is refused when DEBUG is off: demo accounts share a public password."
            )
        with transaction.atomic():
            created = load()
        chain_extend()  # so that a fresh demo passes `manage.py audit_verify`
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded.") if created else "Demo data already present."
        )
