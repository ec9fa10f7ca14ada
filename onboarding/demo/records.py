"""The demo's pupil records: progress, care records (the fixed demo story among them) and
voluntary religion entries."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from students.constants import (
    CareKind,
    CareSource,
    CareVisibility,
    ReligionConsentChannel,
    ReligionConsentDecision,
    ReligionStatus,
    Subject,
    WithholdStatus,
)
from students.models import (
    CareRecord,
    Group,
    Guardianship,
    ProgressRecord,
    ReligionConsent,
    ReligionRecord,
    School,
    Student,
)

from .people import Demo

if TYPE_CHECKING:
    from accounts.models import User


def records_load(
    demo: Demo, school: School, *, child3: Student, child5: Student, child6: Student
) -> None:
    """Progress, care records (about 15% of pupils) and voluntary religion entries."""
    rng, year = demo.rng, demo.year
    teachers: dict[int | None, User | None] = {
        g.pk: g.teachers.first() for g in Group.objects.filter(school=school, school_year=year)
    }
    today = timezone.localdate()
    review = today + datetime.timedelta(days=180)
    pupils = list(Student.objects.filter(school=school, withdrawn_on__isnull=True))
    progress = []
    for pupil in pupils:
        if pupil.year_group < 3:
            continue
        for subject in (Subject.MATHS, Subject.SPELLING, Subject.COMPREHENSION):
            progress.append(
                ProgressRecord(
                    student=pupil,
                    group=pupil.group,
                    subject=subject,
                    period=f"Midden groep {pupil.year_group}",
                    result=rng.choice(["I", "II", "III", "IV", "V"]),
                    recorded_by=teachers.get(pupil.group_id),
                )
            )
    ProgressRecord.objects.bulk_create(progress)

    care = [
        # The fixed demo story: the Groep 3 child of ouder@ has a dyslexia statement.
        CareRecord(
            student=child3,
            kind=CareKind.DIAGNOSIS,
            source=CareSource.SPECIALIST,
            content="Dyslexie vastgesteld (verklaring onderwijsbureau, maart 2026).",
            justification="Extra tijd en voorleessoftware bij toetsen; aangepast leesplan.",
            review_date=review,
            visibility=CareVisibility.TEACHERS,
        ),
        CareRecord(
            student=child6,
            kind=CareKind.ALLERGY,
            source=CareSource.GUARDIAN,
            content="Notenallergie; adrenalinepen in de tas.",
            justification="Leerkrachten en overblijf moeten weten wat te doen bij een reactie.",
            review_date=review,
            visibility=CareVisibility.TEACHERS,
        ),
        CareRecord(
            student=child5,
            kind=CareKind.SUPPORT_PLAN,
            source=CareSource.SCHOOL,
            content="Ondersteuningsplan rekenen: verlengde instructie twee keer per week.",
            justification="Achterstand rekenen; plan afgesproken met ouders.",
            review_date=review,
            visibility=CareVisibility.CARE_TEAM,
        ),
        CareRecord(
            student=child5,
            kind=CareKind.CHILD_PROTECTION,
            source=CareSource.SCHOOL,
            content="Signaal volgens de Meldcode; zie dossier intern begeleider.",
            justification="Stappen van de Meldcode volgen.",
            review_date=review,
            visibility=CareVisibility.CARE_TEAM,
            withhold_status=WithholdStatus.APPROVED,
            withhold_reason="Informeren van een ouder kan de veiligheid van het kind schaden.",
            withhold_decided_at=timezone.now(),
        ),
    ]
    others = [p for p in pupils if p.pk not in {child3.pk, child5.pk, child6.pk}]
    for pupil in rng.sample(others, k=len(others) * 15 // 100):
        kind = rng.choice([CareKind.DIAGNOSIS, CareKind.ALLERGY, CareKind.MEDICATION])
        content = {
            CareKind.DIAGNOSIS: rng.choice(["Dyslexie", "ADHD", "Dyscalculie"]),
            CareKind.ALLERGY: rng.choice(["Pinda-allergie", "Lactose-intolerantie"]),
            CareKind.MEDICATION: "Medicatie tussen de middag (afspraak met ouders).",
        }[kind]
        care.append(
            CareRecord(
                student=pupil,
                kind=kind,
                source=rng.choice(list(CareSource)),
                content=content,
                justification="Nodig voor de begeleiding in de klas.",
                review_date=review,
                visibility=rng.choice(list(CareVisibility)),
            )
        )
    # One withholding waiting for the director's decision.
    care.append(
        CareRecord(
            student=others[-1],
            kind=CareKind.CHILD_PROTECTION,
            source=CareSource.SCHOOL,
            content="Zorgsignaal; overleg met Veilig Thuis gepland.",
            justification="Stappen van de Meldcode volgen.",
            review_date=review,
            visibility=CareVisibility.CARE_TEAM,
            withhold_status=WithholdStatus.REQUESTED,
            withhold_reason="Onderzoek loopt; eerst overleg met Veilig Thuis.",
        )
    )
    CareRecord.objects.bulk_create(care)

    religions = ["Rooms-katholiek", "Protestants", "Islam", "Hindoeïsme", "Humanistisch"]
    # A stated religion rests on a parent's explicit consent, here from the paper form.
    consenting: dict[int, int] = {}
    for link in Guardianship.objects.filter(student__in=pupils, has_authority=True).order_by("id"):
        consenting.setdefault(link.student_id, link.guardian_id)
    entries, consents = [], []
    for pupil in rng.sample(pupils, k=len(pupils) * 30 // 100):
        if rng.random() < 0.3:
            entries.append(ReligionRecord(student=pupil, status=ReligionStatus.DECLINED))
            continue
        religion = rng.choice(religions)
        if pupil.pk not in consenting:
            continue
        consents.append(
            ReligionConsent(
                student=pupil,
                guardian_id=consenting[pupil.pk],
                decision=ReligionConsentDecision.GRANTED,
                channel=ReligionConsentChannel.PAPER,
            )
        )
        entries.append(
            ReligionRecord(student=pupil, status=ReligionStatus.STATED, religion=religion)
        )
    ReligionConsent.objects.bulk_create(consents)
    ReligionRecord.objects.bulk_create(entries)
