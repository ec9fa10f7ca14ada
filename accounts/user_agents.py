"""A program's User-Agent header, said in words for its owner ("Firefox on Windows")."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# (pattern, name) in order: the first that matches names the browser. Edge and Opera carry
# "Chrome" too, and Chrome carries "Safari", so the more specific come first.
BROWSERS = (
    (re.compile(r"\bEdg(?:e|A|iOS)?/"), "Edge"),
    (re.compile(r"\bOPR/|\bOpera\b"), "Opera"),
    (re.compile(r"\bFirefox/|\bFxiOS/"), "Firefox"),
    (re.compile(r"\b(?:Headless)?Chrome/|\bCriOS/|\bChromium/"), "Chrome"),
    (re.compile(r"\bVersion/[\d.]+.*\bSafari/"), "Safari"),
)
SYSTEMS = (
    (re.compile(r"\biPhone\b"), "iPhone"),
    (re.compile(r"\biPad\b"), "iPad"),
    (re.compile(r"\bAndroid\b"), "Android"),
    (re.compile(r"\bCrOS\b"), "ChromeOS"),
    (re.compile(r"\bWindows\b"), "Windows"),
    (re.compile(r"\bMac OS X\b|\bMacintosh\b"), "macOS"),
    (re.compile(r"\bLinux\b"), "Linux"),
)
# Programs that are not browsers, by the first word of their header.
PROGRAMS = {
    "curl": "curl",
    "wget": "Wget",
    "python-requests": "Python",
    "python-urllib": "Python",
    "python-httpx": "Python",
    "okhttp": "Android-app",
    "dart": "Dart-app",
    "postmanruntime": "Postman",
    "powershell": "PowerShell",
}


def client_describe(user_agent: str) -> str:
    """In words which program this is; the header itself when nothing is recognised (cut to
    60 characters), and "unknown program" when there is none."""
    text = (user_agent or "").strip()
    if not text:
        return _("unknown program")
    first = text.split("/", 1)[0].split(" ", 1)[0].lower()
    if first in PROGRAMS:
        return _("program (%(name)s)") % {"name": PROGRAMS[first]}
    browser = next((name for pattern, name in BROWSERS if pattern.search(text)), None)
    system = next((name for pattern, name in SYSTEMS if pattern.search(text)), None)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser or system:
        return browser or system or ""
    return text if len(text) <= 60 else text[:59] + "…"
