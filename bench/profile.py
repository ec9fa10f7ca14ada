"""Profile one page of the portal against the bench database with pyinstrument.

    python -m bench.profile /students/ --as leerkracht1-5@bench.samen-een.example [--runs 50]
    python -m bench.profile /api/v1/students/ --as ... --token --html /tmp/list.html

The page is requested ``--runs`` times with Django's test client (after a warm-up) and the
profile of all runs is printed as a call tree, or written as HTML. The queries of one run are
listed too. Only for the bench database (``samen_een_bench*``), like ``bench.run``.
"""

from __future__ import annotations

import argparse
import os
import sys

from bench import django_setup
from bench.run import DOMAIN, bench_database_only, log


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("path", help="the URL path, e.g. /students/")
    parser.add_argument("--as", dest="email", default=f"leerkracht1-5@{DOMAIN}")
    parser.add_argument("--token", action="store_true", help="API token instead of a session")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--html", help="write the profile as HTML to this file")
    args = parser.parse_args(argv)
    if not bench_database_only():
        return 1
    django_setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    from accounts.models import User
    from accounts.services import api_token_issue

    user = User.objects.get(email=args.email)
    if args.token:
        client = Client(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user)}")
    else:
        client = Client()
        client.force_login(user)

    for _ in range(3):
        status = client.get(args.path).status_code
    log(f"GET {args.path} as {args.email}: {status}")
    with CaptureQueriesContext(connection) as captured:
        client.get(args.path)
    for query in captured.captured_queries:
        log(f"  {query['time']}s  {query['sql'][:300]}")
    log(f"{len(captured.captured_queries)} queries")
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(args.runs):
            client.get(args.path)
    if args.html:
        with open(args.html, "w", encoding="utf-8") as out:
            out.write(profiler.output_html())
        log(f"wrote {args.html}")
    else:
        show_all = os.environ.get("PROFILE_ALL") == "1"
        sys.stdout.write(profiler.output_text(unicode=True, color=False, show_all=show_all))
    return 0


if __name__ == "__main__":
    sys.exit(main())
