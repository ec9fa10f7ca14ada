"""The demo's people: the names, streets and BSNs it draws from (also used by the board-scale
bench, ``bench/generate.py``), the accounts with the public demo password, and the seeded
randomness and dates of one run of the loader."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from functools import lru_cache

from django.contrib.auth.hashers import make_password

from accounts.models import User
from students.constants import Sex

PASSWORD = "samen-een-demo"  # noqa: S105 - the public demo password, refused in production
DOMAIN = "samen-een.example"

FIRST = {
    Sex.FEMALE: [
        "Emma",
        "Julia",
        "Mila",
        "Sophie",
        "Tess",
        "Zoë",
        "Sara",
        "Noor",
        "Fenna",
        "Lotte",
        "Anna",
        "Evi",
        "Nora",
        "Yara",
        "Lina",
        "Fleur",
        "Liv",
        "Saar",
        "Maud",
        "Amira",
    ],
    Sex.MALE: [
        "Noah",
        "Liam",
        "Luca",
        "Sem",
        "Lucas",
        "Finn",
        "Daan",
        "Levi",
        "Milan",
        "Bram",
        "Mees",
        "Jesse",
        "Sam",
        "Thijs",
        "Adam",
        "Mohammed",
        "Ravi",
        "Jayden",
        "Tim",
        "Siem",
    ],
}
SURNAMES = [
    ("", "Jansen"),
    ("de", "Vries"),
    ("van den", "Berg"),
    ("", "Bakker"),
    ("van", "Dijk"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Leeuwen"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("de", "Wit"),
    ("", "Dijkstra"),
    ("", "Yilmaz"),
    ("", "El Amrani"),
    ("", "Kaya"),
    ("", "Nguyen"),
    ("van der", "Berg"),
]
STREETS = ["Schoolstraat", "Kerkweg", "Lindelaan", "Molenweg", "Dorpsstraat", "Beukenlaan"]


@dataclass(frozen=True)
class Demo:
    """One run of the loader: its seeded randomness (the same names every time), today and the
    current school year."""

    rng: random.Random
    today: datetime.date
    year: int


def bsn_random(rng: random.Random) -> str:
    """A random BSN that passes the eleven test."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        if digits[0] == 0:
            continue
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last <= 9:
            return "".join(map(str, digits)) + str(last)


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    return make_password(PASSWORD)


def account(email: str, full_name: str) -> User:
    """The account with this address, created with the demo password when it does not exist."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create(email=email, full_name=full_name, password=_demo_password_hash())
    return user


def staff(local: str, name: str) -> User:
    """A demo account of the school (``local@samen-een.example``)."""
    return account(f"{local}@{DOMAIN}", name)


def user_of(local: str) -> User:
    """The existing demo account ``local@samen-een.example``."""
    return User.objects.get(email=f"{local}@{DOMAIN}")
