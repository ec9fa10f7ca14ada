"""The processing register states the true basis for religion: the parents' explicit consent
(AVG art. 9(2)(a)), not a legal task of the school (issue 22, part 6)."""

from django.utils import translation

from registers.register import processing_register
from students.attributes import DataCategory


def test_processing_register_rests_religion_on_explicit_consent_not_a_legal_task(world):
    with translation.override("en"):
        religion = str(DataCategory.RELIGION.label)
        activities = processing_register(schools=[world.school])["activities"]
    with_religion = [a for a in activities if religion in a["categories"]]
    assert len(with_religion) == 1
    (activity,) = with_religion
    assert activity["categories"] == [religion]
    assert "Explicit consent" in activity["basis"] and "9(2)(a)" in activity["basis"]
    assert "withdrawing deletes" in activity["basis"]
    assert "Legal task" not in activity["basis"]
    assert "Deleted at once when the consent is withdrawn" in activity["retention"]
