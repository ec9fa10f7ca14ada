"""Ids as they arrive in URLs: one row, one address."""

import pytest

from kernel.ids import MAX_ID, parse_id


@pytest.mark.parametrize("value", ["7", 7, "007"])
def test_ascii_digits_spell_an_id(value):
    assert parse_id(value) == 7


@pytest.mark.parametrize(
    "value",
    [
        "\u0661",
        "\u0667",
        "\uff17",
        "+7",
        " 7",
        "7 ",
        "1_0",
        "-7",
        "0",
        "",
        None,
        "7.0",
        True,
        str(MAX_ID + 1),
    ],
)
def test_anything_else_names_no_row(value):
    assert parse_id(value) is None


def test_an_id_in_other_digits_answers_404_like_a_missing_one(world, client):
    client.force_login(world.users["director"])
    pupil = world.pupil3
    assert client.get(f"/students/{pupil.pk}/").status_code == 200
    arabic = str(pupil.pk).translate({ord(d): 0x0660 + int(d) for d in "0123456789"})
    assert client.get(f"/students/{arabic}/").status_code == 404
