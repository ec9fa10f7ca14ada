"""Fixtures for the privacy-request tests: a small driver that goes through the selectors and
services the way the pages do, with transaction.on_commit callbacks (mail, the package job)
run as they would be after a real commit."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from django.core import mail
from django.utils import translation

from accounts.constants import Function
from accounts.models import User
from privacy_requests import services
from privacy_requests.constants import Kind
from privacy_requests.models import AccessPackage, PrivacyRequest
from privacy_requests.selectors import request_for_action
from students.models import Guardian, Student

from ..students.factories import GuardianFactory, link_guardian

if TYPE_CHECKING:
    from ..conftest import World

_DESCRIPTIONS = itertools.count(1)


@pytest.fixture
def english():
    """Messages are asserted in English (the msgids), whatever the state of the translations.
    Tests about the language of a letter set it explicitly. (Not autouse: test_api.py in this
    folder goes through HTTP, where the request's language applies.)"""
    with translation.override("en"):
        yield


@pytest.fixture
def private_media(settings, tmp_path):
    """Package files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Flow:
    world: World
    capture: Callable

    def user(self, role: str | User) -> User:
        return self.world.users[role] if isinstance(role, str) else role

    def run(self, service: Callable, /, **kwargs):
        """Call a service; what it queued for after the commit (mail, jobs) runs on exit."""
        with self.capture(execute=True):
            return service(**kwargs)

    def submit(
        self,
        kind: str = Kind.ACCESS,
        *,
        student: Student | None = None,
        user: str | User = "guardian",
        description: str | None = None,
        **fields,
    ) -> PrivacyRequest:
        user = self.user(user)
        return self.run(
            services.request_submit,
            user=user,
            student=student or self.world.pupil3,
            guardian=user.guardian,
            kind=kind,
            description=description or f"Verzoek {next(_DESCRIPTIONS)}",
            **fields,
        )

    def find(self, role: str | User, request: PrivacyRequest, function: Function):
        return request_for_action(user=self.user(role), request_id=request.pk, function=function)

    def act(self, role: str | User, request: PrivacyRequest, function: Function, service, **kwargs):
        """As the pages do: fetch the request through the selector with the function the
        step needs, then call the service with it."""
        found = self.find(role, request, function)
        return self.run(service, user=self.user(role), request=found, **kwargs)

    def release(self, role: str | User, request: PrivacyRequest) -> AccessPackage:
        found = self.find(role, request, Function.RELEASE_PACKAGES)
        return self.run(services.package_release, user=self.user(role), package=found.package)

    def built(self, request: PrivacyRequest | None = None) -> AccessPackage:
        """An access request whose package administration started and the job built."""
        request = request or self.submit(Kind.ACCESS)
        package = self.act(
            "administration", request, Function.HANDLE_REQUESTS, services.package_start
        )
        package.refresh_from_db()
        return package

    def fresh(self, request: PrivacyRequest) -> PrivacyRequest:
        return PrivacyRequest.objects.get(pk=request.pk)


@pytest.fixture
def flow(world, django_capture_on_commit_callbacks, english, private_media) -> Flow:
    return Flow(world, django_capture_on_commit_callbacks)


@pytest.fixture
def second_guardian(world) -> Guardian:
    """The other guardian of Groep 3's pupil, with parental authority (no portal account)."""
    guardian = GuardianFactory.create(first_name="Robin", email="second-parent@home.example")
    link_guardian(guardian, world.pupil3, has_authority=True)
    return guardian


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)
