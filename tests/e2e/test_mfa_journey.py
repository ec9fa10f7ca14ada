"""A staff login in the real browser with MFA on: the teacher sets up the authenticator app
(reading the key off the page, as a phone would from the QR code), keeps the backup codes,
reaches their pupils, and at the next login confirms with a backup code after a wrong one.
The pages also keep the Content-Security-Policy: the browser reports no violation."""

from __future__ import annotations

import base64
import re

import pytest
from django.test import override_settings
from django_otp.oath import totp

from .conftest import LOGIN_PATH, assert_accessible, login

pytestmark = pytest.mark.e2e

TEACHER = "leerkracht3@samen-een.example"


def _code_from_key(key: str) -> str:
    secret = key.replace(" ", "")
    secret += "=" * (-len(secret) % 8)
    return f"{totp(base64.b32decode(secret)):06d}"


@override_settings(MFA_REQUIRED=True)
def test_teacher_sets_up_mfa_and_logs_in_with_it(page, demo_site, shot):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    login(page, demo_site, TEACHER)
    assert "/accounts/mfa/setup/" in page.url
    assert page.locator("figure.qr svg[role=img]").count() == 1
    assert_accessible(page)
    shot(page, "mfa-setup")

    page.fill("input[name=code]", "000000")
    page.click("main form button[type=submit]")
    error = page.locator(".field-error")
    assert error.count() == 1
    assert page.locator("input[name=code]").get_attribute("aria-invalid") == "true"
    page.wait_for_timeout(2_100)  # django-otp makes the next try after a wrong one wait

    key = page.locator("code.secret").inner_text()
    page.fill("input[name=code]", _code_from_key(key))
    page.click("main form button[type=submit]")
    assert "/accounts/mfa/backup-codes/" in page.url
    codes = [c.strip() for c in page.locator("ul.backup-codes code").all_inner_texts()]
    assert len(codes) == 10
    assert_accessible(page)
    shot(page, "backup-codes")

    page.click("main a.button")
    response = page.goto(f"{demo_site}/students/")
    assert response.status == 200
    assert page.locator("main table tbody tr").count() > 0

    # Next login: a wrong code is refused with a message at the field, a backup code works.
    page.click("form[action$='/accounts/logout/'] button[type=submit]")
    assert LOGIN_PATH in page.url
    login(page, demo_site, TEACHER)
    assert "/accounts/mfa/verify/" in page.url
    assert_accessible(page)
    shot(page, "mfa-verify")
    page.fill("input[name=code]", "12345678")
    page.click("main form button[type=submit]")
    assert page.locator(".field-error").count() == 1
    assert page.locator("[role=alert]").count() >= 1
    page.wait_for_timeout(2_100)
    page.fill("input[name=code]", codes[0])
    page.click("main form button[type=submit]")
    assert re.search(r"/$", page.url)
    assert page.goto(f"{demo_site}/students/").status == 200
    assert not violations, violations
