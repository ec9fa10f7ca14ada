"""Reading EDEXML safely and checking it against the EDEXML 2.1 schema.

Every EDEXML file the portal reads goes through :func:`parse_safely` (a hardened parser: no
entity expansion, no network, no DTD, no huge trees; any DOCTYPE is refused, so entity bombs
and external entities never get a chance) and :func:`validate` (the standard's XML Schema in
``schema/``, loaded once from the files next to this module).
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

from django.utils.translation import gettext as _
from lxml import etree

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
SCHEMA_FILE = SCHEMA_DIR / "EDEXML.structuur.xsd"
_XS = "{http://www.w3.org/2001/XMLSchema}"

# libxml2's validation context is not safe to share between threads: one validation at a time.
_VALIDATE_LOCK = threading.Lock()


class EdexmlError(Exception):
    """An EDEXML file cannot be read or written; ``message`` says why in plain words.

    ``errors`` holds the detailed findings (schema errors with their line numbers) when
    there are several.
    """

    def __init__(self, message: str, errors: list[str] | None = None):
        self.message = str(message)
        self.errors = list(errors or [])
        super().__init__(self.message)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_pis=True,
    )


@functools.cache
def schema() -> etree.XMLSchema:
    """The EDEXML 2.1 XML Schema (the structure file includes the others by relative path)."""
    document = etree.parse(str(SCHEMA_FILE), _parser())
    return etree.XMLSchema(document)


@functools.cache
def schema_enumeration(type_name: str) -> tuple[str, ...]:
    """The values a simple type of the schema allows (e.g. ``EDEXSchooljaarType``)."""
    for path in sorted(SCHEMA_DIR.glob("*.xsd")):
        document = etree.parse(str(path), _parser())
        for simple in document.getroot().iter(f"{_XS}simpleType"):
            if simple.get("name") == type_name:
                return tuple(item.get("value") for item in simple.iter(f"{_XS}enumeration"))
    raise LookupError(type_name)


def parse_safely(data: bytes) -> etree._ElementTree:
    """Parse untrusted bytes as XML, or raise :class:`EdexmlError` with a clear message."""
    if not isinstance(data, bytes | bytearray):
        raise TypeError("parse_safely() takes bytes")
    if not data.strip():
        raise EdexmlError(_("The file is empty."))
    if b"<!DOCTYPE" in data:
        raise _doctype_refused()
    try:
        root = etree.fromstring(bytes(data), _parser())
    except etree.XMLSyntaxError as exc:
        raise EdexmlError(
            _("The file is not well-formed XML (line %(line)s: %(message)s).")
            % {"line": exc.lineno or "?", "message": exc.msg or str(exc)}
        ) from exc
    if root is None:
        raise EdexmlError(_("The file is not well-formed XML."))
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # e.g. in UTF-16
        raise _doctype_refused()
    return tree


def _doctype_refused() -> EdexmlError:
    return EdexmlError(
        _(
            "The file contains a document type declaration (DOCTYPE). EDEXML files never "
            "do; such files are refused because their entities can be abused."
        )
    )


def validate(doc) -> list[str]:
    """Readable schema errors (``"Line N: message"``); an empty list means the file is valid."""
    validator = schema()
    with _VALIDATE_LOCK:
        if validator.validate(doc):
            return []
        entries = list(validator.error_log)
    return [
        _("Line %(line)s: %(message)s") % {"line": entry.line, "message": entry.message}
        for entry in entries
    ]
