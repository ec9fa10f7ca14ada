"""The tokens page names the program that logged in, in words, not as a User-Agent header."""

from __future__ import annotations

import pytest
from django.utils import translation

from accounts.user_agents import client_describe

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/156.0.0.0 Safari/537.36"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)
FIREFOX_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:121.0) Gecko/20100101 Firefox/121.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.144 Mobile Safari/537.36"
)


@pytest.mark.parametrize(
    ("header", "english", "dutch"),
    [
        (CHROME_LINUX, "Chrome on Linux", "Chrome op Linux"),
        (EDGE_WINDOWS, "Edge on Windows", "Edge op Windows"),
        (SAFARI_IPHONE, "Safari on iPhone", "Safari op iPhone"),
        (FIREFOX_MAC, "Firefox on macOS", "Firefox op macOS"),
        (CHROME_ANDROID, "Chrome on Android", "Chrome op Android"),
        ("curl/8.5.0", "program (curl)", "programma (curl)"),
        ("python-requests/2.31.0", "program (Python)", "programma (Python)"),
        ("", "unknown program", "onbekend programma"),
        ("SchoolSync/4.2", "SchoolSync/4.2", "SchoolSync/4.2"),
    ],
)
def test_program_described_in_words_when_its_header_is_known(header, english, dutch):
    with translation.override("en"):
        assert client_describe(header) == english
    with translation.override("nl"):
        assert client_describe(header) == dutch


def test_unknown_long_header_cut_when_described():
    described = client_describe("X" * 300)
    assert len(described) == 60
    assert described.endswith("…")
