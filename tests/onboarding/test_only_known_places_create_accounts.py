"""Nothing else creates staff: accounts are made in a few known places only. A guardian's and
a colleague's invitation create the account of the person who accepts it; the board's
provisioning commands create directors and privacy officers; the demo loader its people. A new
shortcut that creates an account anywhere else (a view, an API, a command) fails here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "tests", "bench", "node_modules", ".git", "migrations", "static", "media"}
CREATES = re.compile(
    r"(?<!class )\bUser\(|\bUser\.objects\.(?:create|bulk_create|get_or_create|update_or_create)\b"
    r"|\bcreate_user\(|\bcreate_superuser\(|get_user_model\(\)\.objects\.create"
)
KNOWN = {
    # A guardian's invitation: the account of the guardian who accepts it.
    "students/services/invitations.py": 1,
    # A colleague's invitation (the director's): the account of the colleague who accepts it.
    "students/services/staff_invitations.py": 1,
    # The board's provisioning: the school's first director, the board's privacy officer.
    "onboarding/management/commands/school_setup.py": 1,
    "onboarding/management/commands/privacy_officer_setup.py": 1,
    # The demo's people.
    "onboarding/demo/people.py": 1,
    # The manager's own methods (create_superuser calls create_user).
    "accounts/models.py": 3,
    # An unsaved account to check a chosen password against the name (validate_password).
    "students/forms.py": 1,
}


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts[:-1])
        if not parts & SKIPPED:
            yield path


def test_only_the_known_places_create_accounts():
    found: dict[str, int] = {}
    for path in _sources():
        hits = len(CREATES.findall(path.read_text(encoding="utf-8")))
        if hits:
            found[str(path.relative_to(ROOT))] = hits
    assert found == KNOWN, (
        "Accounts are created only by the invitations and the board's provisioning "
        "(onboarding); a new place that creates an account needs a reason here."
    )


def test_the_scan_sees_a_shortcut():
    assert CREATES.search("user = User.objects.create(email=email)")
    assert CREATES.search("User.objects.create_user(email, password)")
    assert CREATES.search("account = User(email=email)")
    assert not CREATES.search("AuthUser(email)")
    assert not CREATES.search("class User(AbstractBaseUser):")
