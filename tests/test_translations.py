"""The catalogues are complete and current: every user-facing string has its Dutch, none is
fuzzy, placeholders survive translation, the English is never half a plural, nobody added a
string without translating it, and the compiled catalogues say what the .po files say."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
NL = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"
EN = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"

# printf-style as Python's % operator reads it: %(name)s, %s, %5.1f; "%%" is a literal percent.
PYTHON_FORMAT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"(?P<type>[diouxXeEfFgGcrsa%])"
)
BRACE_FORMAT = re.compile(r"(?<!\{)\{(?P<field>[^{}]*)\}(?!\})")
# What `make messages` leaves out (the Makefile's and the brief's --ignore), plus what is no
# source: extraction walks a copy, so none of this needs copying.
NOT_SOURCE = (
    ".venv",
    ".git",
    "tests",
    "test-artifacts",
    "media",
    "staticfiles",
    ".celery",
    ".hypothesis",
    ".pytest_cache",
    ".ruff_cache",
    "__pycache__",
    "db.sqlite3*",
    "*.mo",
)


@pytest.fixture(scope="module")
def nl() -> polib.POFile:
    return polib.pofile(str(NL))


@pytest.fixture(scope="module")
def en() -> polib.POFile:
    return polib.pofile(str(EN))


def _key(entry: polib.POEntry) -> tuple[str | None, str, str]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def _python_placeholders(text: str) -> tuple[frozenset, list[str]]:
    """Named placeholders (any order) and positional ones (in order), without "%%"."""
    named: set = set()
    positional: list[str] = []
    for match in PYTHON_FORMAT.finditer(text):
        if match["type"] == "%":
            continue
        if match["name"] is not None:
            named.add((match["name"], match["type"]))
        else:
            positional.append(match["type"])
    return frozenset(named), positional


def _brace_placeholders(text: str) -> set[str]:
    return {m["field"].split(":")[0].split("!")[0] for m in BRACE_FORMAT.finditer(text)}


def _pairs(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs: singular with msgstr[0], the plural with every other form."""
    if entry.msgid_plural:
        forms = sorted(entry.msgstr_plural.items())
        return [(entry.msgid if index == 0 else entry.msgid_plural, text) for index, text in forms]
    return [(entry.msgid, entry.msgstr)]


def _format_errors(po: polib.POFile) -> list[str]:
    errors = []
    for entry in po:
        if entry.obsolete:
            continue
        for source, text in _pairs(entry):
            if not text:
                continue  # untranslated: falls back to the msgid (checked elsewhere for Dutch)
            if "python-format" in entry.flags and _python_placeholders(
                source
            ) != _python_placeholders(text):
                errors.append(f"{source!r} -> {text!r}")
            if "python-brace-format" in entry.flags and _brace_placeholders(
                source
            ) != _brace_placeholders(text):
                errors.append(f"{source!r} -> {text!r}")
    return errors


# --- Dutch ------------------------------------------------------------------------------------


def test_dutch_has_no_untranslated_fuzzy_or_obsolete_entries_when_read_with_polib(nl):
    assert len(nl) > 0
    assert [e.msgid for e in nl.untranslated_entries()] == []
    assert [e.msgid for e in nl.fuzzy_entries()] == []
    assert [e.msgid for e in nl.obsolete_entries()] == []
    # A plural translated in one form only is untranslated in the other.
    assert [e.msgid for e in nl if e.msgid_plural and not all(e.msgstr_plural.values())] == []
    assert not nl.metadata_is_fuzzy


# The informal address; the portal speaks to parents and staff with "u" only.
INFORMAL = re.compile(r"\b(je|jij|jou|jouw|jullie)\b", re.IGNORECASE)


def test_dutch_addresses_the_reader_as_u_when_translated(nl):
    informal = [
        entry.msgid
        for entry in nl
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        if INFORMAL.search(text)
    ]
    assert informal == []


def test_dutch_keeps_every_placeholder_of_the_english_when_translated(nl):
    assert _format_errors(nl) == []


def test_placeholder_check_notices_a_lost_or_renamed_placeholder_when_one_is_wrong():
    po = polib.POFile()
    po.append(
        polib.POEntry(
            msgid="Due on %(date)s", msgstr="Uiterlijk %(datum)s", flags=["python-format"]
        )
    )
    po.append(polib.POEntry(msgid="%s of %s", msgstr="%s", flags=["python-format"]))
    po.append(polib.POEntry(msgid="Hi {name}", msgstr="Hoi", flags=["python-brace-format"]))
    po.append(
        polib.POEntry(msgid="100%% sure %(x)s", msgstr="%(x)s zeker", flags=["python-format"])
    )
    assert len(_format_errors(po)) == 3


def _extract_dutch(tmp_path: Path) -> polib.POFile:
    """Run makemessages for Dutch on a copy of the project (so the real catalogue is untouched),
    merging with the committed catalogue the way `make messages` does."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_SOURCE), symlinks=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "samen_een.settings.test"}
    result = subprocess.run(  # our own manage.py, fixed arguments
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale",
            "nl",
            "--no-obsolete",
            "--ignore",
            ".venv/*",
            "--ignore",
            "tests/*",
            "--ignore",
            "test-artifacts/*",
            "--verbosity",
            "0",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return polib.pofile(str(copy / "locale" / "nl" / "LC_MESSAGES" / "django.po"))


def test_dutch_catalogue_holds_every_string_in_the_code_when_extracted_again(nl, tmp_path):
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext, msgmerge) is missing; CI installs it")
        pytest.skip("GNU gettext (xgettext) is not installed: apt-get install gettext")
    fresh = _extract_dutch(tmp_path)
    committed = {_key(e) for e in nl if not e.obsolete}
    extracted = {_key(e) for e in fresh if not e.obsolete}
    missing = sorted(extracted - committed, key=str)
    assert missing == [], (
        "Strings in the code without Dutch: run `make messages` (see the Makefile), "
        f"translate them in {NL.relative_to(ROOT)} and compile: {missing}"
    )
    stale = sorted(committed - extracted, key=str)
    assert stale == [], f"Entries no longer in the code: run `make messages`: {stale}"


# --- English ----------------------------------------------------------------------------------


def test_english_has_no_fuzzy_or_obsolete_entries_and_no_half_plurals_when_read_with_polib(en):
    assert [e.msgid for e in en.fuzzy_entries()] == []
    assert [e.msgid for e in en.obsolete_entries()] == []
    # An empty translation falls back to the msgid (which is English); a plural with one form
    # filled in and the other empty would show the msgid for one count and the text for another.
    half = [
        e.msgid
        for e in en
        if e.msgid_plural and len({bool(v) for v in e.msgstr_plural.values()}) > 1
    ]
    assert half == []
    assert en.metadata.get("Plural-Forms", "").startswith("nplurals=2;")
    assert _format_errors(en) == []


def test_english_and_dutch_catalogues_hold_the_same_strings_when_both_are_extracted(nl, en):
    assert {_key(e) for e in en if not e.obsolete} == {_key(e) for e in nl if not e.obsolete}


# --- compiled ---------------------------------------------------------------------------------


def _loaded(entry: polib.POEntry) -> list[tuple[str, str]]:
    """What the running translation machinery gives for an entry, next to what the .po says."""
    if entry.msgid_plural:
        if entry.msgctxt:
            one = translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
            many = translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
        else:
            one = translation.ngettext(entry.msgid, entry.msgid_plural, 1)
            many = translation.ngettext(entry.msgid, entry.msgid_plural, 2)
        return [(one, entry.msgstr_plural[0]), (many, entry.msgstr_plural[1])]
    if entry.msgctxt:
        return [(translation.pgettext(entry.msgctxt, entry.msgid), entry.msgstr)]
    return [(translation.gettext(entry.msgid), entry.msgstr)]


def test_compiled_dutch_catalogue_gives_the_po_translations_when_the_language_is_dutch(nl):
    with translation.override("nl"):
        stale = [
            (entry.msgid, got, want)
            for entry in nl
            if not entry.obsolete
            for got, want in _loaded(entry)
            if got != want
        ]
    assert stale == [], (
        f"{len(stale)} compiled Dutch messages differ from {NL.relative_to(ROOT)}: run "
        f"`make compile-messages` (bin/compile_messages.py). First: {stale[:3]}"
    )


def test_compiled_english_catalogue_gives_the_msgid_or_its_translation_when_english(en):
    with translation.override("en"):
        wrong = [
            (entry.msgid, got)
            for entry in en
            if not entry.obsolete
            for (got, want), source in zip(_loaded(entry), _pairs(entry), strict=True)
            if got != (want or source[0])
        ]
    assert wrong == []
