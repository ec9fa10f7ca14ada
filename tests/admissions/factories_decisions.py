"""Applications as the public form leaves them (received, complete, the clock set), made
directly for the decision tests; traits for the other states."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from admissions.constants import DECISION_PERIOD, EXTENSION_PERIOD, ApplicationStatus
from admissions.models import Application, ApplicationEvent, ApplicationGuardian

SUPPORT_NEEDS = "Spraak-taalontwikkeling: logopedie 2x per week"
RELIGION = "Evangelisch-Lutherse gemeente"


def _today() -> datetime.date:
    return timezone.localdate()


class ApplicationFactory(factory.django.DjangoModelFactory[Application]):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"AM-2026-{n:04d}")
    status = ApplicationStatus.RECEIVED
    email = factory.Sequence(lambda n: f"aanvrager{n}@thuis.example")
    complete_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=10))
    decision_due_on = factory.LazyAttribute(
        lambda o: o.complete_on + DECISION_PERIOD if o.complete_on else None
    )
    first_names = "Lotte Maria"
    given_name = "Lotte"
    surname_prefix = "van"
    surname = factory.Sequence(lambda n: f"Dijk{n}")
    date_of_birth = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=4 * 365 + 40))
    desired_start_date = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=70))
    current_school = "Kinderdagverblijf De Kikker"
    support_needs = ""
    religion = ""

    class Params:
        extended = factory.Trait(
            status=ApplicationStatus.EXTENDED,
            extended_on=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=2)),
            extension_reason="Wij wachten op het verslag van de logopedist.",
            decision_due_on=factory.LazyAttribute(
                lambda o: o.complete_on + DECISION_PERIOD + EXTENSION_PERIOD
            ),
        )
        refused = factory.Trait(
            status=ApplicationStatus.REFUSED,
            decided_on=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=20)),
            refusal_reason="De groep zit vol en wij kunnen de gevraagde ondersteuning niet bieden.",
            referral_school="SBO De Wegwijzer",
        )
        unconfirmed = factory.Trait(
            status=ApplicationStatus.UNCONFIRMED, complete_on=None, decision_due_on=None
        )
        sealed = factory.Trait(support_needs=SUPPORT_NEEDS, religion=RELIGION)

    @factory.post_generation
    def guardians(obj, create, extracted, **kwargs):  # noqa: N805
        if not create:
            return
        for position, values in enumerate(extracted or [{}]):
            ApplicationGuardian.objects.create(
                application=obj,
                position=position,
                **{
                    "first_name": "Sanne",
                    "surname": "van Dijk",
                    "email": f"ouder.{obj.reference.lower()}@thuis.example",
                    "phone": "06-11223344",
                    **values,
                },
            )
        ApplicationEvent.objects.create(application=obj, kind="submitted")
