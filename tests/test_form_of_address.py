"""One form of address: the portal says "u", never "je", "jij", "jouw" or "jullie".

tests/test_translations.py holds the Dutch catalogue to it; this test holds everything written
in Dutch directly: templates (pages and e-mails), the default consent texts, the demo data and
every other Python module, the scripts and the static files."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INFORMAL = re.compile(r"\b(je|jij|jou|jouw|jullie|jezelf)\b", re.IGNORECASE)
SKIP = {".venv", "tests", "node_modules", ".git", "locale"}


def _sources():
    for path in ROOT.rglob("*"):
        if not path.is_file() or SKIP & set(path.relative_to(ROOT).parts):
            continue
        if path.suffix in {".html", ".txt", ".py", ".js", ".md"} or path.parent.name == "bin":
            yield path


def test_no_informal_dutch_written_directly_anywhere():
    informal = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources()
        for number, line in enumerate(path.read_text(errors="ignore").splitlines(), 1)
        if INFORMAL.search(line)
    ]
    assert informal == []


def test_the_check_notices_an_informal_word():
    assert INFORMAL.search("Wil je dit opslaan?")
    assert INFORMAL.search("Jouw kind")
    assert not INFORMAL.search("Wilt u dit opslaan? Jeroen en jeugdzorg")
