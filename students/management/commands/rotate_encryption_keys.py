"""Re-encrypt every sealed value and file with the newest key, then prove the old keys can go."""

from django.core.management.base import BaseCommand, CommandError

from kernel.key_rotation import DEFAULT_BATCH_SIZE, keys_rotate, keys_verify_primary_only


class Command(BaseCommand):
    help = (
        "Key rotation for sealed fields and sealed files. First put the new key FIRST in "
        "FIELD_ENCRYPTION_KEYS (keep the old keys after it) on every process, then run this "
        "command: it re-encrypts every sealed value and every sealed file's data key with the "
        "newest key (sealing files still stored in plain text) and verifies that each one opens "
        "with the newest key alone. With --check it only verifies (non-zero exit while any "
        "value or file still needs an old key). Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Rows per transaction (default {DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help=(
                "Only verify that every sealed value and file opens with the newest key; "
                "change nothing."
            ),
        )

    def handle(self, *args, batch_size, check, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if not check:
            self.stdout.write("Re-encrypting sealed values and files with the newest key:")
            keys_rotate(batch_size=batch_size, stdout=self.stdout)
        remaining = keys_verify_primary_only(batch_size=batch_size)
        self.stdout.write("Values and files that still need an old key (or are missing):")
        for label, count in remaining.items():
            self.stdout.write(f"{label}: {count}")
        total = sum(remaining.values())
        if total:
            advice = (
                "Run `manage.py rotate_encryption_keys` with the new key first"
                if check
                else "Make sure every process runs with the new key first, then re-run this command"
            )
            raise CommandError(
                f"{total} sealed value(s) or file(s) still need an old key or are missing from "
                f"storage: old keys may NOT be removed from FIELD_ENCRYPTION_KEYS yet. {advice} "
                "(a missing file: check the storage settings, restore the file or empty its "
                "field)."
            )
        self.stdout.write(
            self.style.SUCCESS(
                "Every sealed value and file opens with the newest key: old keys may now be "
                "removed from FIELD_ENCRYPTION_KEYS."
            )
        )
