from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def _elf_sum(digits: str) -> int:
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


def validate_bsn(value: str) -> None:
    """A BSN passes the eleven test; an education number starts with 1 and leaves remainder 5."""
    if not (len(value) == 9 and value.isdigit()):
        raise ValidationError(_("A BSN or education number has exactly 9 digits."), code="format")
    total = _elf_sum(value)
    is_bsn = total % 11 == 0 and total != 0
    is_education_number = value.startswith("1") and (total + 2 * int(value[8])) % 11 == 5
    if not (is_bsn or is_education_number):
        raise ValidationError(_("This is not a valid BSN or education number."), code="checksum")


def validate_phone(value: str) -> None:
    """A phone number as people write it: digits with spaces, dashes, dots or brackets, an
    optional leading + for a country code, and 10 to 15 digits (a Dutch number has 10)."""
    allowed = set("0123456789 -.()/")
    text = value.strip()
    body = text[1:] if text.startswith("+") else text
    digits = sum(ch.isdigit() for ch in body)
    if not text or any(ch not in allowed for ch in body) or not 10 <= digits <= 15:
        raise ValidationError(
            _(
                "Enter a phone number of 10 to 15 digits, for example 06 12345678 or "
                "+31 6 12345678."
            ),
            code="phone",
        )
