"""``manage.py retention --dry-run`` prints what is due per school and rule (and who is held);
without ``--dry-run`` it runs each school's enabled rules, as the nightly job does."""

from django.core.management.base import BaseCommand
from django.utils import translation

from retention.constants import Trigger
from retention.services import preview, retention_run
from students.models import School


class Command(BaseCommand):
    help = "Show the retention preview (--dry-run) or run the enabled rules of every school."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only print what is due; change nothing."
        )
        parser.add_argument("--school", help="BRIN code of one school (default: all)")

    def handle(self, *args, dry_run=False, school=None, **options):
        translation.activate("en")
        schools = School.objects.order_by("name")
        if school:
            schools = schools.filter(brin=school)
        for item in schools:
            if dry_run:
                self._print(preview(school=item))
            else:
                run = retention_run(school=item, trigger=Trigger.COMMAND)
                self.stdout.write(
                    f"{item.name} ({item.brin}): run {run.pk} {run.status} {run.counts}"
                )

    def _print(self, data) -> None:
        self.stdout.write(f"{data.school.name} ({data.school.brin}) on {data.day.isoformat()}")
        for item in data.rules:
            rule = item.rule
            due = (
                f"{item.events_due} access event(s) due"
                if rule.category == "audit_events"
                else f"{item.pupils_due} pupil(s) due"
            )
            state = "enabled" if rule.enabled else "not enabled"
            self.stdout.write(
                f"  {rule.category}: {rule.period_months} months, {rule.action}, {state}: {due}"
            )
            if item.pupil_ids:
                self.stdout.write(f"    pupils: {', '.join(str(i) for i in item.pupil_ids)}")
            self.stdout.write(f"    {'; '.join(str(c) for c in item.categories)}")
        held = ", ".join(
            f"{hold.student_id} (until {hold.until.isoformat() if hold.until else 'lifted'})"
            for hold in data.held
        )
        self.stdout.write(f"  held: {held or 'none'}")
