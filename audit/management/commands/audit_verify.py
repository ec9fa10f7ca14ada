"""``manage.py audit_verify`` walks the audit hash chain from the last retention checkpoint to
its head and reports the first broken link; it exits with status 1 when the chain is broken.
``--seal`` first links the events still waiting into the chain (``audit.chain.chain_extend``)."""

from django.core.management.base import BaseCommand, CommandError

from audit.chain import VerifyResult, anchor_check, chain_extend, chain_verify
from audit.models import AuditChainHead


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and report the first broken link."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seal", action="store_true", help="Seal the events still waiting before verifying."
        )
        parser.add_argument(
            "--expect",
            metavar="SEQ:SEAL",
            help="A chain head noted earlier outside the database (printed by this command); "
            "the chain must still contain it.",
        )

    def handle(self, *args, seal=False, expect=None, **options):
        anchor = self._anchor(expect) if expect else None
        if seal:
            self.stdout.write(f"{chain_extend()} events sealed.")
        result = chain_verify(stdout=self.stdout)
        if not result.ok:
            raise CommandError(self._broken(result))
        if anchor is not None:
            check = anchor_check(seq=anchor[0], seal=anchor[1])
            if not check.ok:
                raise CommandError(check.message)
            self.stdout.write(check.message)
        self.stdout.write(self.style.SUCCESS(self._intact(result)))
        head = AuditChainHead.objects.filter(pk=1).first()
        if head is not None and head.seq:
            # Note this line somewhere outside the database (the register, a mail): with
            # --expect it later proves the chain was not rewritten up to here.
            self.stdout.write(f"Chain head: {head.seq}:{head.seal}")

    @staticmethod
    def _anchor(value: str) -> tuple[int, str]:
        seq, _sep, seal = value.partition(":")
        if not seq.isdigit() or len(seal) != 64:
            raise CommandError("--expect takes SEQ:SEAL as printed by audit_verify.")
        return int(seq), seal.lower()

    @staticmethod
    def _intact(result: VerifyResult) -> str:
        start = ""
        if result.started_from_seq is not None:
            start = f" from seq {result.started_from_seq}"
            if result.checkpoint_id is not None:
                start += f" (after retention checkpoint #{result.checkpoint_id})"
        return (
            f"Audit chain intact: {result.checked} events verified{start}; "
            f"{result.unsealed} events waiting to be sealed."
        )

    @staticmethod
    def _broken(result: VerifyResult) -> str:
        link = result.first_broken
        if link is None:  # chain_verify sets ok=False only together with the broken link
            raise ValueError("A broken chain result names its first broken link.")
        where = f"event id {link.event_id} (seq {link.seal_seq})"
        if link.event_id is None:
            where = f"seq {link.seal_seq}"
        return f"Audit chain BROKEN at {where}: {link.reason}"
