"""Reading EDEXML safely and checking it against the EDEXML 2.1 schema.

Shared by the import (``students/edexml/reading.py``) and the export's writer
(``suppliers/edexml/writer.py``), which validates every file before it leaves.

Every EDEXML file the portal reads goes through :func:`parse_safely` (a hardened parser: no
entity expansion, no network, no DTD, no huge trees; any DOCTYPE is refused, so entity bombs
and external entities never get a chance) and :func:`validate` (the standard's XML Schema in
``schema/``, loaded once from the files next to this module).

The schema's variable-types file (``EDEXML.types.variabel.xsd``, which lists the school years and
which Edustandaard updates as the years pass) is the project's update of the published file
(see ``schema/NOTICE.md``), or the official newer file an operator names in the setting
``EDEXML_VARIABLE_TYPES_FILE``. The structure, element and fixed-types files are always the
published ones next to this module.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from lxml import etree

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
SCHEMA_FILE = SCHEMA_DIR / "EDEXML.structuur.xsd"
VARIABLE_TYPES_NAME = "EDEXML.types.variabel.xsd"
SHIPPED_VARIABLE_TYPES = SCHEMA_DIR / VARIABLE_TYPES_NAME
# The standard's other files, used exactly as published (the structure file includes the
# element file, which includes the two types files).
PUBLISHED_FILES = ("EDEXML.structuur.xsd", "EDEXML.elementen.xsd", "EDEXML.types.vast.xsd")
_XS = "{http://www.w3.org/2001/XMLSchema}"
_DOCTYPE = b"<!DOCTYPE"
_SCAN_CHUNK = 64 * 1024

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


def variable_types_file() -> Path:
    """The variable-types file in use: ``EDEXML_VARIABLE_TYPES_FILE``, or the shipped update.

    A relative setting is taken from the project directory. Raises ImproperlyConfigured when
    the setting names no readable file: a typo must not silently fall back to another list of
    school years.
    """
    configured = str(getattr(settings, "EDEXML_VARIABLE_TYPES_FILE", "") or "").strip()
    if not configured:
        return SHIPPED_VARIABLE_TYPES
    path = Path(configured).expanduser()
    if not path.is_absolute():
        path = Path(settings.BASE_DIR) / path
    if not path.is_file():
        raise ImproperlyConfigured(
            f"EDEXML_VARIABLE_TYPES_FILE is set to {configured!r}, but {path} is not a file. "
            f"Point it at an official {VARIABLE_TYPES_NAME} of EDEXML 2.1, or leave it empty "
            "to use the one shipped with the portal."
        )
    return path.resolve()


class _VariableTypesResolver(etree.Resolver):
    """Loads the chosen variable-types file where the element file includes its own."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path

    def resolve(self, system_url, public_id, context):
        if system_url and Path(system_url).name == VARIABLE_TYPES_NAME:
            return self.resolve_filename(str(self.path), context)
        return None  # the published files next to the structure file


@functools.cache
def _schema_for(variable_types: Path) -> etree.XMLSchema:
    parser = _parser()
    parser.resolvers.add(_VariableTypesResolver(variable_types))
    try:
        return etree.XMLSchema(etree.parse(str(SCHEMA_FILE), parser))
    except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
        raise ImproperlyConfigured(
            f"The EDEXML 2.1 schema cannot be loaded with the variable-types file "
            f"{variable_types}: {exc}. Check EDEXML_VARIABLE_TYPES_FILE."
        ) from exc


def schema() -> etree.XMLSchema:
    """The EDEXML 2.1 XML Schema: the published structure, element and fixed-types files with
    the variable-types file in use. Loaded once per variable-types file."""
    return _schema_for(variable_types_file())


def schema_enumeration(type_name: str) -> tuple[str, ...]:
    """The values a simple type of the schema allows (e.g. ``EDEXSchooljaarType``)."""
    return _enumeration(variable_types_file(), type_name)


@functools.cache
def _enumeration(variable_types: Path, type_name: str) -> tuple[str, ...]:
    _schema_for(variable_types)  # the files must make a schema together before we trust a list
    for path in (variable_types, *(SCHEMA_DIR / name for name in PUBLISHED_FILES)):
        document = etree.parse(str(path), _parser())
        for simple in document.getroot().iter(f"{_XS}simpleType"):
            if simple.get("name") == type_name:
                return tuple(item.get("value") for item in simple.iter(f"{_XS}enumeration"))
    raise LookupError(type_name)


def parse_safely(data: bytes) -> etree._ElementTree:
    """Parse untrusted bytes as XML, or raise :class:`EdexmlError` with a clear message."""
    if not isinstance(data, bytes | bytearray):
        raise TypeError("parse_safely() takes bytes")
    return parse_file_safely(lambda: io.BytesIO(bytes(data)))


def _precheck(handle: BinaryIO) -> None:
    """Refuse an empty file and any DOCTYPE before the parser sees a byte, reading in chunks."""
    tail = b""
    content = False
    for chunk in iter(lambda: handle.read(_SCAN_CHUNK), b""):
        window = tail + chunk
        if _DOCTYPE in window:
            raise _doctype_refused()
        content = content or bool(chunk.strip())
        tail = window[-(len(_DOCTYPE) - 1) :]
    if not content:
        raise EdexmlError(_("The file is empty."))


def parse_file_safely(open_file: Callable[[], BinaryIO]) -> etree._ElementTree:
    """Parse an untrusted file as one tree, or raise :class:`EdexmlError` with a clear message.

    ``open_file`` gives a fresh binary file each time (it is read twice: the DOCTYPE check,
    then the parse). The whole tree is held by libxml2: callers cap the file's size first.
    """
    with open_file() as handle:
        _precheck(handle)
    try:
        with open_file() as handle:
            tree = etree.parse(handle, _parser())
    except etree.XMLSyntaxError as exc:
        raise _not_well_formed(exc) from exc
    if tree.getroot() is None:
        raise EdexmlError(_("The file is not well-formed XML."))
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # e.g. in UTF-16
        raise _doctype_refused()
    return tree


def iterparse_safely(handle: BinaryIO, events: tuple[str, ...]) -> etree.iterparse:
    """The hardened parser's options for a streaming read (the file was checked before)."""
    return etree.iterparse(
        handle,
        events=events,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_pis=True,
        remove_comments=True,
    )


def _not_well_formed(exc: etree.XMLSyntaxError) -> EdexmlError:
    return EdexmlError(
        _("The file is not well-formed XML (line %(line)s: %(message)s).")
        % {"line": exc.lineno or "?", "message": exc.msg or str(exc)}
    )


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


def validate_written(stream: BinaryIO) -> list[str]:
    """Schema errors of a document the portal wrote, read from the stream's current position.

    The hardened parser is used here too, so a writer mistake cannot turn into entity tricks.
    """
    try:
        document = etree.parse(stream, _parser())
    except etree.XMLSyntaxError as exc:
        return [
            _("Line %(line)s: %(message)s")
            % {"line": exc.lineno or "?", "message": exc.msg or str(exc)}
        ]
    return validate(document)
