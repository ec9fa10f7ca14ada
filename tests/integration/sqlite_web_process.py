"""The web process of ``test_sqlite_worker.py``: run as ``python -m`` against a migrated SQLite
file with the demo data, beside a real worker. Several threads (runserver serves each request
in a thread of its own) send real requests through the full Django stack (every request one
transaction, ATOMIC_REQUESTS): the director asks for access packages to be built and follows
their pages while colleagues open pupil pages, each open recorded as an access event; one
thread plays beat and enqueues the audit sealing job again and again. It writes one JSON line
on stdout: what was sent, what came back, and every error."""

from __future__ import annotations

import json
import sys
import threading
import time

import django

TEACHER_PAGES = 3  # threads opening pupil pages besides the director's
# The threads go on past the given seconds until this many requests were sent, so that a busy
# machine (parallel test workers) still gives the worker real company; never past HARD_STOP.
MIN_SENT = 80
HARD_STOP = 60.0


def main(seconds: float) -> None:
    django.setup()
    from django.db import connections
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User
    from audit.tasks import audit_seal_task
    from privacy_requests.constants import Kind, PackageStatus
    from privacy_requests.models import AccessPackage
    from privacy_requests.services import request_submit
    from students.models import Guardian, Student

    setup_test_environment()  # the test client's host, mail kept in memory
    director = User.objects.get(email="directeur@samen-een.example")
    parent = User.objects.get(email="ouder@samen-een.example")
    guardian = Guardian.objects.get(user=parent)
    children = list(Student.objects.filter(guardian_links__guardian=guardian).order_by("pk"))
    access_requests = [
        request_submit(
            user=parent,
            student=child,
            guardian=guardian,
            kind=Kind.ACCESS,
            description="Welke gegevens heeft de school van ons kind?",
        ).pk
        for child in children
    ]
    pupils = list(
        Student.objects.filter(school=children[0].school, group__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:20]
    )
    connections.close_all()

    report: dict = {"requests": access_requests, "sent": 0, "pupil_pages": {}, "errors": []}
    lock = threading.Lock()
    started = time.monotonic()

    def busy() -> bool:
        elapsed = time.monotonic() - started
        with lock:
            sent = report["sent"]
        return elapsed < seconds or (sent < MIN_SENT and elapsed < HARD_STOP)

    def send(client: Client, method: str, path: str, expected: int) -> bool:
        try:
            response = getattr(client, method)(path)
        except Exception as exc:  # reported, the test fails on any
            with lock:
                report["errors"].append(f"{method.upper()} {path}: {exc!r}")
            return False
        with lock:
            report["sent"] += 1
            if response.status_code != expected:
                report["errors"].append(f"{method.upper()} {path}: {response.status_code}")
                return False
        return True

    def director_desk() -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(director)
        for pk in access_requests:
            send(client, "post", f"/requests/{pk}/actions/package/", 302)
        while busy():
            for pk in access_requests:
                send(client, "get", f"/requests/{pk}/", 200)

    def colleague(offset: int) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(director)
        index = offset
        while busy():
            pk = pupils[index % len(pupils)]
            index += 1
            path = f"/students/{pk}/"
            if send(client, "get", path, 200):
                with lock:
                    report["pupil_pages"][path] = report["pupil_pages"].get(path, 0) + 1

    def beat() -> None:
        while busy():
            audit_seal_task.delay()
            time.sleep(0.1)

    def run(target, *args) -> threading.Thread:
        def body() -> None:
            try:
                target(*args)
            except Exception as exc:
                with lock:
                    report["errors"].append(f"{target.__name__}: {exc!r}")
            finally:
                connections.close_all()

        thread = threading.Thread(target=body)
        thread.start()
        return thread

    threads = [run(director_desk), run(beat)]
    threads += [run(colleague, n * 7) for n in range(TEACHER_PAGES)]
    for thread in threads:
        thread.join()
    # The builds record access events of their own: seal once more when they are done, as
    # beat would a minute later.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        built = AccessPackage.objects.filter(
            request_id__in=access_requests, status=PackageStatus.BUILT
        ).count()
        if built == len(access_requests):
            break
        time.sleep(0.2)
    audit_seal_task.delay()
    sys.stdout.write(json.dumps(report) + "\n")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 8.0)
