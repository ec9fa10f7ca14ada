"""The access package and disclosures on a legal obligation: a disclosure about the child is
listed with the law in words; one the director withheld from the guardians (a Meldcode report
to Veilig Thuis) is in neither the JSON nor the document the PDF is printed from."""

from __future__ import annotations

import json

import pytest

from privacy_requests.document import readable_sections
from suppliers.constants import LegalGround, RecipientKind
from suppliers.gate import LegalRequest
from suppliers.models import Recipient
from suppliers.services import export_build, export_request

pytestmark = pytest.mark.usefixtures("english")

WITHHELD_WORDS = ("VT-2025-0117", "Stap 5 van de Meldcode", "Gevaar voor het kind")


def _send(world, kind, name, ground, reference, reason, withheld=""):
    recipient = Recipient.objects.create(
        board=world.school.board,
        kind=kind,
        name=name,
        legal_basis="Wet",
        attributes=["first_name", "last_name", "address"],
    )
    export = export_request(
        user=world.users["director"],
        school=world.school,
        format="csv",
        recipient=recipient,
        legal=LegalRequest(
            ground=ground,
            reference=reference,
            reason=reason,
            student_ids=(world.pupil3.pk,),
            withheld_reason=withheld,
        ),
    )
    return export_build(export_id=export.pk).disclosure


@pytest.fixture
def legal(world):
    visible = _send(
        world,
        RecipientKind.ATTENDANCE_OFFICER,
        "Leerplicht Gemeente Noord",
        LegalGround.ABSENCE_REPORT,
        "LPA-2025-0042",
        "Zestien uur verzuim",
    )
    withheld = _send(
        world,
        RecipientKind.VEILIG_THUIS,
        "Veilig Thuis Noord",
        LegalGround.MELDCODE,
        WITHHELD_WORDS[0],
        WITHHELD_WORDS[1],
        withheld=WITHHELD_WORDS[2],
    )
    assert withheld.withheld_from_guardians and not visible.withheld_from_guardians
    return {"visible": visible, "withheld": withheld}


def test_package_lists_the_legal_disclosure_with_its_ground_but_never_a_withheld_one(
    world, flow, legal
):
    package = flow.built()
    text = package.json_file.open("rb").read().decode()
    package.json_file.close()
    data = json.loads(text)

    [sent] = data["disclosures"]
    assert sent["recipient"] == "Leerplicht Gemeente Noord"
    assert sent["ground"] == str(LegalGround.ABSENCE_REPORT.label)
    assert "Address" in sent["data"]
    assert {"key": "disclosures", "count": 1} in package.sections
    for word in (*WITHHELD_WORDS, str(LegalGround.MELDCODE.label)):
        assert word not in text, word
    # What the PDF prints: the same parts, in words.
    printed = json.dumps(readable_sections(data), ensure_ascii=False)
    assert str(LegalGround.ABSENCE_REPORT.label) in printed
    for word in (*WITHHELD_WORDS, str(LegalGround.MELDCODE.label)):
        assert word not in printed, word
    assert "Veilig Thuis Noord" not in json.dumps(data["disclosures"], ensure_ascii=False)
