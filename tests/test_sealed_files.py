"""Stored files are sealed at rest: access packages, exports, EDEXML uploads and agreement
documents reach storage encrypted (the stored bytes hold no plaintext), open only through the
sealed storage, refuse any change, move to a new key with the other sealed data, and leave
storage when their download period ends (the hourly expiry job)."""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import os
from importlib import import_module
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.http import FileResponse
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from kernel.crypto import SealedDataError
from kernel.key_rotation import keys_rotate, keys_verify_primary_only, sealed_file_fields
from kernel.sealed_files import (
    CHUNK,
    MAGIC,
    SEALED_CHUNK,
    TAG,
    SealedFileError,
    SealedStorage,
    file_is_sealed,
    sealed_storage,
    stored_files_convert,
)
from privacy_requests.models import AccessPackage
from privacy_requests.views import download_url as package_download_url
from retention.expiry import stored_files_expire
from retention.tasks import stored_files_expire_task
from suppliers.api import download_url as export_download_url
from suppliers.constants import IMPORT_UPLOAD_DIR, AgreementModel, ExportStatus, ImportStatus
from suppliers.models import Agreement, Export, ImportJob
from suppliers.services import export_build, export_request

EXAMPLE = (
    settings.BASE_DIR / "students" / "edexml" / "schema" / "EDEXML.Voorbeeld.2.1.xml"
).read_bytes()
SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 200_000]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Each test's files in its own folder (autouse: before ``world`` stores its exports)."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def storage() -> SealedStorage:
    return sealed_storage()


def _raw(name: str) -> bytes:
    """The bytes on disk, read around every storage class."""
    return (Path(settings.MEDIA_ROOT) / name).read_bytes()


def _write_raw(name: str, data: bytes) -> None:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _read(storage, name: str) -> bytes:
    with storage.open(name, "rb") as handle:
        return handle.read()


def _assert_sealed(name: str, *secrets: bytes) -> None:
    raw = _raw(name)
    assert raw.startswith(MAGIC)
    for secret in secrets:
        assert secret not in raw, secret


def _header_token(name: str) -> bytes:
    raw = _raw(name)
    length = int.from_bytes(raw[len(MAGIC) : len(MAGIC) + 2], "big")
    return raw[len(MAGIC) + 2 : len(MAGIC) + 2 + length]


def _body_offset(name: str) -> int:
    return len(MAGIC) + 2 + len(_header_token(name))


def _export(world) -> Export:
    """The director's Rekenwijs CSV, built through the gate as the job does."""
    export = export_request(
        user=world.users["director"],
        school=world.school,
        format="csv",
        agreement=world.suppliers["agreement"],
        product=world.suppliers["product"],
    )
    return export_build(export_id=export.pk)


# -- the format ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_content_round_trips_and_size_is_plaintext_size_when_sealed(storage, size):
    data = os.urandom(size)
    name = storage.save("private/test/round.bin", ContentFile(data))

    raw = _raw(name)
    chunks = max(1, -(-size // CHUNK))
    assert raw.startswith(MAGIC)
    assert len(raw) == _body_offset(name) + size + chunks * TAG
    if size >= 32:
        assert data[:32] not in raw
    assert _read(storage, name) == data
    assert storage.size(name) == size


def test_seek_tell_and_partial_reads_behave_like_a_plain_file_when_sealed(storage):
    data = os.urandom(200_000)
    name = storage.save("private/test/seek.bin", ContentFile(data))

    with storage.open(name) as handle:
        assert handle.read(10) == data[:10]
        assert handle.tell() == 10
        handle.seek(CHUNK - 6)
        assert handle.read(12) == data[CHUNK - 6 : CHUNK + 6]  # across a chunk boundary
        handle.seek(-5, io.SEEK_END)
        assert handle.read() == data[-5:]
        assert handle.tell() == len(data)
        handle.seek(len(data) + 10)
        assert handle.read(3) == b""
        handle.seek(3)
        handle.seek(4, io.SEEK_CUR)
        assert handle.read(1) == data[7:8]
        assert handle.size == len(data)


def test_file_response_streams_plaintext_with_its_length_when_sealed(storage):
    data = os.urandom(CHUNK * 2 + 123)
    name = storage.save("private/test/response.bin", ContentFile(data))

    response = FileResponse(storage.open(name), as_attachment=True, filename="x.bin")

    assert response["Content-Length"] == str(len(data))
    assert b"".join(response.streaming_content) == data


def test_field_file_reopens_through_the_sealed_storage_when_closed(world):
    export = world.suppliers["exports"]["director"]
    first = export.file.open("rb").read()
    export.file.close()
    again = export.file.open("rb").read()
    export.file.close()

    assert first == again == b"pseudonym,first_name\n"


def test_sealed_files_have_no_url_no_path_and_open_for_reading_only(storage):
    name = storage.save("private/test/modes.bin", ContentFile(b"x"))

    with pytest.raises(NotImplementedError):
        storage.url(name)
    with pytest.raises(NotImplementedError):
        storage.path(name)
    for mode in ("wb", "r", "ab", "r+b"):
        with pytest.raises(ValueError, match="binary reading"):
            storage.open(name, mode)


def test_files_are_sealed_whatever_the_inner_backend_is(world):
    in_memory = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    export = world.suppliers["exports"]["director"]
    content = b"pseudonym,first_name\np-1,Tim\n"
    with override_settings(STORAGES=in_memory):
        export.file.save("in-memory.csv", ContentFile(content))
        with storages["default"].open(export.file.name, "rb") as handle:
            stored = handle.read()
        assert export.file.storage.size(export.file.name) == len(content)
        assert export.file.open("rb").read() == content
        export.file.close()

    assert stored.startswith(MAGIC)
    assert b"Tim" not in stored and b"pseudonym" not in stored
    assert not (Path(settings.MEDIA_ROOT) / export.file.name).exists()


class _Stream(io.RawIOBase):
    """A stored file that can only be read from start to end (as some object stores give)."""

    def __init__(self, path: Path):
        self._handle = path.open("rb")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        return self._handle.readinto(buffer)

    def close(self) -> None:
        self._handle.close()
        super().close()


class StreamOnlyStorage(FileSystemStorage):
    def _open(self, name, mode="rb"):
        return File(_Stream(Path(self.path(name))), name=name)


STREAM_ONLY = "tests.test_sealed_files.StreamOnlyStorage"


def test_file_is_read_from_start_to_end_when_the_backend_cannot_seek(storage):
    data = os.urandom(CHUNK * 2 + 7)
    name = storage.save("private/test/stream.bin", ContentFile(data))
    streams = {**settings.STORAGES, "default": {"BACKEND": STREAM_ONLY}}

    with override_settings(STORAGES=streams):
        with storage.open(name) as handle:
            assert not handle.seekable()
            assert handle.read(5) == data[:5]
            assert handle.read() == data[5:]
        assert storage.size(name) == len(data)
        _write_raw(name, _raw(name)[: _chunk_span(name, 2).start])  # the final chunk dropped
        with storage.open(name) as handle, pytest.raises(SealedFileError, match="chunk 1"):
            handle.read()


# -- tampering -------------------------------------------------------------------------------


@pytest.fixture
def three_chunks(storage) -> tuple[str, bytes]:
    data = os.urandom(CHUNK * 2 + 500)
    return storage.save("private/test/tamper.bin", ContentFile(data)), data


def _chunk_span(name: str, index: int) -> slice:
    start = _body_offset(name) + index * SEALED_CHUNK
    return slice(start, start + SEALED_CHUNK)


def test_changed_byte_in_the_body_is_refused_when_read(storage, three_chunks):
    name, _data = three_chunks
    raw = bytearray(_raw(name))
    raw[_chunk_span(name, 1).start + 100] ^= 0x01
    _write_raw(name, bytes(raw))

    with storage.open(name) as handle:
        handle.read(CHUNK)  # chunk 0 is intact
        with pytest.raises(SealedFileError, match="chunk 1"):
            handle.read(10)


def test_changed_byte_in_the_final_chunk_is_refused_when_opened(storage, three_chunks):
    name, _data = three_chunks
    raw = bytearray(_raw(name))
    raw[-1] ^= 0x80
    _write_raw(name, bytes(raw))

    with pytest.raises(SealedFileError):
        storage.open(name)


@pytest.mark.parametrize("cut", ["last_chunk", "mid_chunk", "tag_only"])
def test_truncated_file_is_refused_when_opened(storage, three_chunks, cut):
    name, _data = three_chunks
    raw = _raw(name)
    end = {
        "last_chunk": _chunk_span(name, 2).start,  # drops the final chunk exactly
        "mid_chunk": len(raw) - 100,
        "tag_only": _chunk_span(name, 2).start + 5,
    }[cut]
    _write_raw(name, raw[:end])

    with pytest.raises(SealedFileError):
        storage.open(name)


def test_swapped_chunks_are_refused_when_read(storage, three_chunks):
    name, _data = three_chunks
    raw = _raw(name)
    first, second = _chunk_span(name, 0), _chunk_span(name, 1)
    _write_raw(name, raw[: first.start] + raw[second] + raw[first] + raw[second.stop :])

    with storage.open(name) as handle, pytest.raises(SealedFileError, match="chunk 0"):
        handle.read(10)


def test_appended_bytes_are_refused_when_opened(storage, three_chunks):
    name, _data = three_chunks
    _write_raw(name, _raw(name) + os.urandom(SEALED_CHUNK))

    with pytest.raises(SealedFileError):
        storage.open(name)


def test_plaintext_file_in_place_of_a_sealed_one_is_refused(storage, three_chunks):
    name, _data = three_chunks
    _write_raw(name, b"pseudonym,first_name\np-1,Tim\n")

    with pytest.raises(SealedFileError, match="not a sealed file") as refused:
        storage.open(name)
    with pytest.raises(SealedFileError):
        storage.size(name)
    assert name in str(refused.value)
    assert "Tim" not in str(refused.value)


def test_file_sealed_with_an_unknown_key_is_refused_when_opened(storage):
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        name = storage.save("private/test/foreign.bin", ContentFile(b"secret"))

    with pytest.raises(SealedFileError, match="FIELD_ENCRYPTION_KEYS"):
        storage.open(name)


# -- every kind of private file --------------------------------------------------------------


def test_package_files_hold_no_plaintext_and_download_exactly_when_released(request_world, client):
    world = request_world
    package = world.requests["released"].package
    guardian = world.users["guardian"]

    for field in (package.json_file, package.pdf_file):
        _assert_sealed(
            field.name,
            b"Tim",
            b"111222333",  # the BSN
            b"Dyslexie",  # a care record
            b"Rooms-katholiek",
            b"%PDF",
        )
    client.force_login(guardian)
    downloads = {}
    for fmt in ("json", "pdf"):
        response = client.get(package_download_url(package, guardian, fmt))
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert response["Content-Length"] == str(len(body))
        downloads[fmt] = body

    assert hashlib.sha256(downloads["json"]).hexdigest() == package.checksum  # as built
    assert b'"111222333"' in downloads["json"]
    assert b"Dyslexie (verklaring 2025)" in downloads["json"]
    assert downloads["pdf"].startswith(b"%PDF-")
    assert len(downloads["pdf"]) == package.pdf_file.size


def test_export_file_holds_no_plaintext_and_downloads_exactly_when_built(world, client):
    export = _export(world)

    assert export.status == ExportStatus.DONE and export.pupil_count >= 1
    _assert_sealed(export.file.name, b"pseudonym", b"first_name", b"Tim", b"Groep 3", b"12AB")
    client.force_login(world.users["director"])
    response = client.get(export_download_url(export, world.users["director"]))
    body = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert response["Content-Length"] == str(len(body))
    assert hashlib.sha256(body).hexdigest() == export.disclosure.file_checksum  # as built
    assert body.startswith(b"pseudonym,first_name,group_name,school_brin")
    assert b"Tim" in body


def test_import_upload_holds_no_plaintext_and_imports_what_was_checked(
    world, client, storage, django_capture_on_commit_callbacks
):
    client.force_login(world.users["administration"])
    url = reverse("edexml-import")
    upload = SimpleUploadedFile("school.xml", EXAMPLE, content_type="text/xml")

    with django_capture_on_commit_callbacks(execute=True):  # the check runs as a job
        uploaded = client.post(url, {"school": world.school.pk, "file": upload})
    job = ImportJob.objects.get()
    kept = job.file.name

    assert uploaded.status_code == 302
    assert job.status == ImportStatus.PREVIEWED
    assert kept.startswith(f"{IMPORT_UPLOAD_DIR}/")
    _assert_sealed(kept, b"<EDEX", b"<?xml", b"Assati", b"133456785", b"Vlinders")
    assert _read(storage, kept) == EXAMPLE
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-job-apply", args=[job.pk]))
    assert world.school.students.filter(surname="Assati").exists()
    assert not storage.exists(kept)


def test_import_asks_for_the_file_again_when_the_kept_upload_is_gone(
    world, client, storage, django_capture_on_commit_callbacks
):
    client.force_login(world.users["administration"])
    url = reverse("edexml-import")
    upload = SimpleUploadedFile("school.xml", EXAMPLE, content_type="text/xml")
    with django_capture_on_commit_callbacks(execute=True):
        # The job speaks its uploader's language (here English) in what it writes down.
        client.post(url, {"school": world.school.pk, "file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    job = ImportJob.objects.get()
    storage.delete(job.file.name)  # lost from storage before the confirmation

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-job-apply", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(reverse("import-job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and not job.file
    assert (
        "The checked file is no longer kept. Upload it again, please." in response.content.decode()
    )
    assert not world.school.students.filter(surname="Assati").exists()


def test_agreement_document_holds_no_plaintext_when_uploaded(world, client, storage):
    document = b"%PDF-1.4\nVerwerkersovereenkomst getekend door Jan Jansen\n%%EOF\n"
    supplier = world.suppliers["supplier"]
    client.force_login(world.users["director"])

    response = client.post(
        reverse("agreement-create", args=[supplier.pk]),
        {
            "model": AgreementModel.MODEL_4,
            "document": SimpleUploadedFile("signed.pdf", document, "application/pdf"),
        },
    )

    assert response.status_code == 302
    agreement = Agreement.objects.filter(supplier=supplier).exclude(document="").get()
    _assert_sealed(agreement.document.name, b"%PDF", b"Jan Jansen", b"Verwerkersovereenkomst")
    assert _read(storage, agreement.document.name) == document


def test_every_private_file_field_uses_the_sealed_storage():
    labels = {f"{model._meta.label}.{field.name}" for model, field in sealed_file_fields()}
    assert labels == {
        "admissions.EducationReport.document",
        "admissions.FundingRegistration.file",
        "privacy_requests.AccessPackage.json_file",
        "privacy_requests.AccessPackage.pdf_file",
        "suppliers.Export.file",
        "suppliers.ImportJob.file",
        "suppliers.Agreement.document",
        "suppliers.Product.document",
    }


# -- key rotation ----------------------------------------------------------------------------


@pytest.fixture
def old_key() -> str:
    return settings.FIELD_ENCRYPTION_KEYS[0]


@pytest.fixture
def new_key() -> str:
    return Fernet.generate_key().decode()


def _rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out)
    return out.getvalue()


def _files(world) -> dict[tuple[str, int, str], tuple[str, bytes]]:
    """Every sealed file of the world, keyed by (model, pk, field): (name, plaintext)."""
    found = {}
    for model, field in sealed_file_fields():
        for row in model._default_manager.exclude(**{field.name: ""}):
            stored = getattr(row, field.name)
            found[(model._meta.label, row.pk, field.name)] = (
                stored.name,
                _read(stored.storage, stored.name),
            )
    return found


def _opens_with(key: str, name: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(_header_token(name))
    except InvalidToken:
        return False
    return True


def test_every_file_opens_with_the_new_key_alone_when_rotated(
    request_world, old_key, new_key, storage, django_capture_on_commit_callbacks
):
    world = request_world
    assert world.requests["released"].package.json_file
    agreement = world.suppliers["agreement"]
    agreement.document.save("agreement.pdf", ContentFile(b"%PDF-1.4 getekend"), save=True)
    before = _files(world)
    assert len(before) == 5  # two exports, the package's JSON and PDF, the agreement

    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        assert keys_verify_primary_only()["suppliers.Export.file"] == 2
        with django_capture_on_commit_callbacks(execute=True):
            output = _rotate()

    assert "suppliers.Export.file: 2 re-encrypted, 0 already on the newest key" in output
    assert "privacy_requests.AccessPackage.pdf_file: 0" in output
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        after = _files(world)
        assert "old keys may now be removed" in _rotate("--check")
    assert after.keys() == before.keys()
    for key, (old_name, content) in before.items():
        new_name, new_content = after[key]
        assert new_content == content  # unchanged
        assert new_name != old_name
        assert storage.exists(new_name)
        assert not storage.exists(old_name)  # the old file is gone
        assert _opens_with(new_key, new_name)
        assert not _opens_with(old_key, new_name)
    for name, _content in before.values():
        assert name not in output


def test_rotation_changes_nothing_when_run_twice(
    world, old_key, new_key, django_capture_on_commit_callbacks
):
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        with django_capture_on_commit_callbacks(execute=True):
            first = keys_rotate()
        names = _files(world)
        with django_capture_on_commit_callbacks(execute=True):
            second = keys_rotate()
        assert _files(world) == names

    assert first["suppliers.Export.file"] == 2
    assert second["suppliers.Export.file"] == 0


def _legacy_export(world) -> tuple[Export, str, bytes]:
    """An export whose file was stored in plain text before sealing existed."""
    export = world.suppliers["exports"]["administration"]
    plain = b"pseudonym,first_name\np-7,Tim\n"
    name = sealed_storage().inner.save("private/exports/legacy.csv", ContentFile(plain))
    Export.objects.filter(pk=export.pk).update(file=name)
    return Export.objects.get(pk=export.pk), name, plain


def test_plaintext_file_is_refused_counted_and_sealed_when_rotated(
    world, old_key, new_key, storage, django_capture_on_commit_callbacks
):
    export, name, plain = _legacy_export(world)

    with pytest.raises(SealedFileError):
        export.file.open("rb")
    assert keys_verify_primary_only()["suppliers.Export.file"] == 1  # even without a new key
    with pytest.raises(CommandError, match="may NOT be removed"):
        _rotate("--check")
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        with django_capture_on_commit_callbacks(execute=True):
            output = _rotate()
        export.refresh_from_db()
        assert _read(storage, export.file.name) == plain

    assert (
        "suppliers.Export.file: 1 re-encrypted, 0 already on the newest key, "
        "1 stored in plain text before and now sealed" in output
    )
    _assert_sealed(export.file.name, b"Tim", b"pseudonym")
    assert not storage.exists(name)


def test_migration_seals_plaintext_files_and_leaves_sealed_ones_alone(
    world, storage, django_capture_on_commit_callbacks
):
    export, name, plain = _legacy_export(world)
    sealed_export = world.suppliers["exports"]["director"]
    sealed_name = sealed_export.file.name
    migration = import_module("suppliers.migrations.0003_stored_files_sealed")
    from django.apps import apps

    with django_capture_on_commit_callbacks(execute=True):
        migration.seal_files(apps, None)
    export.refresh_from_db()
    sealed_export.refresh_from_db()

    assert export.file.name != name and not storage.exists(name)
    _assert_sealed(export.file.name, b"Tim", b"pseudonym")
    assert _read(storage, export.file.name) == plain
    assert sealed_export.file.name == sealed_name  # sealed already: untouched
    with django_capture_on_commit_callbacks(execute=True):
        assert stored_files_convert(Export, ["file"]) == 0  # a second run finds nothing

    with django_capture_on_commit_callbacks(execute=True):
        migration.unseal_files(apps, None)  # the way back writes plain text again
    export.refresh_from_db()
    assert _raw(export.file.name) == plain
    assert not file_is_sealed(storage.inner, export.file.name)


def test_rotation_fails_loudly_when_a_file_opens_with_no_key(world, old_key, new_key, caplog):
    export = world.suppliers["exports"]["director"]
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        export.file.save("foreign.csv", ContentFile(b"pseudonym\np-1\n"), save=True)

    caplog.set_level(logging.DEBUG)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        with pytest.raises(SealedDataError, match=rf"suppliers\.Export\.file \(pk={export.pk}\)"):
            keys_rotate()
    assert Export.objects.get(pk=export.pk).file.name == export.file.name  # left as it was
    assert export.file.name not in caplog.text


def test_missing_file_blocks_the_removal_of_old_keys(world, storage):
    export = world.suppliers["exports"]["director"]
    storage.delete(export.file.name)

    assert keys_verify_primary_only()["suppliers.Export.file"] == 1
    with pytest.raises(CommandError, match="missing from storage"):
        _rotate()


# -- the expiry job --------------------------------------------------------------------------


def _age(name: str, when: datetime.datetime) -> None:
    stamp = when.timestamp()
    os.utime(Path(settings.MEDIA_ROOT) / name, (stamp, stamp))


def test_expired_files_are_deleted_and_the_rest_kept_when_the_job_runs(request_world, storage):
    world = request_world
    released = world.requests["released"].package
    built = world.requests["built"].package  # never released: no download period
    exports = world.suppliers["exports"]
    Export.objects.filter(pk=exports["administration"].pk).update(
        expires_at=timezone.now() + datetime.timedelta(days=30)
    )
    now = timezone.now()
    old_upload = storage.save(f"{IMPORT_UPLOAD_DIR}/1-old.xml", ContentFile(EXAMPLE))
    new_upload = storage.save(f"{IMPORT_UPLOAD_DIR}/1-new.xml", ContentFile(EXAMPLE))
    _age(old_upload, now - datetime.timedelta(hours=25))
    _age(new_upload, now - datetime.timedelta(hours=1))
    package_files = [released.json_file.name, released.pdf_file.name]
    director_export = exports["director"].file.name

    within = stored_files_expire(now=now)
    assert within == {"packages": 0, "exports": 0, "uploads": 1, "funding_registrations": 0}
    assert not storage.exists(old_upload) and storage.exists(new_upload)

    later = released.expires_at + datetime.timedelta(minutes=1)
    counts = stored_files_expire(now=later)

    assert counts == {"packages": 1, "exports": 1, "uploads": 1, "funding_registrations": 0}
    assert not any(storage.exists(name) for name in [*package_files, director_export])
    released.refresh_from_db()
    assert (released.json_file.name, released.pdf_file.name) == ("", "")
    assert released.disclosure_id is not None  # the evidence stays
    assert Export.objects.get(pk=exports["director"].pk).file.name == ""
    kept = Export.objects.get(pk=exports["administration"].pk)
    assert kept.file and storage.exists(kept.file.name)  # its period has not ended
    built.refresh_from_db()
    assert built.json_file and storage.exists(built.json_file.name)
    assert stored_files_expire(now=later) == {
        "packages": 0,
        "exports": 0,
        "uploads": 0,
        "funding_registrations": 0,
    }


def test_pages_say_the_period_ended_when_the_files_are_gone(request_world, client):
    world = request_world
    request = world.requests["released"]
    package = request.package
    export = world.suppliers["exports"]["director"]
    stored_files_expire(now=package.expires_at + datetime.timedelta(minutes=1))
    package = AccessPackage.objects.get(pk=package.pk)

    with freeze_time(package.expires_at + datetime.timedelta(minutes=2)):
        client.force_login(world.users["guardian"])
        guardian_page = client.get(
            reverse("request-detail", args=[request.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
        client.force_login(world.users["director"])
        staff_page = client.get(
            reverse("request-detail", args=[request.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
        review = client.get(reverse("request-package-review", args=[request.pk]))
        export_page = client.get(
            reverse("export-detail", args=[export.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )

    assert guardian_page.status_code == 200
    assert "The download period has ended." in guardian_page.content.decode()
    assert staff_page.status_code == 200
    assert "files are deleted" in staff_page.content.decode()
    assert reverse("request-package-review", args=[request.pk]) not in staff_page.content.decode()
    assert review.status_code == 404
    assert export_page.status_code == 200
    assert "The file is no longer available" in export_page.content.decode()
    assert not package.downloadable


def test_expiry_job_is_scheduled_hourly_and_runs_as_a_task(request_world):
    world = request_world
    package = world.requests["released"].package
    entry = settings.CELERY_BEAT_SCHEDULE["retention-stored-files-expire"]
    assert entry["task"] == "retention.tasks.stored_files_expire_task"
    assert len(entry["schedule"].hour) == 24

    with freeze_time(package.expires_at + datetime.timedelta(seconds=1)):
        stored_files_expire_task.delay()

    package.refresh_from_db()
    assert not package.json_file and not package.pdf_file


def test_expiry_job_logs_counts_only(request_world, caplog):
    world = request_world
    package = world.requests["released"].package
    names = [package.json_file.name, package.pdf_file.name]
    caplog.set_level(logging.DEBUG, logger="retention.expiry")

    stored_files_expire(now=package.expires_at + datetime.timedelta(seconds=1))

    assert "packages=1" in caplog.text
    assert not any(name in caplog.text for name in names)
    assert "Tim" not in caplog.text


def test_export_page_offers_no_link_when_the_period_ended_before_the_job_ran(world, client):
    export = world.suppliers["exports"]["director"]
    client.force_login(world.users["director"])

    with freeze_time(export.expires_at + datetime.timedelta(minutes=1)):
        page = client.get(reverse("export-detail", args=[export.pk]), HTTP_ACCEPT_LANGUAGE="en")

    assert export.file  # the job has not run yet
    assert "The file is no longer available" in page.content.decode()
    assert "/download/" not in page.content.decode()


def test_package_download_is_not_found_when_its_files_were_erased(request_world, client):
    world = request_world
    package = world.requests["released"].package
    guardian = world.users["guardian"]
    link = package_download_url(package, guardian, "pdf")
    AccessPackage.objects.filter(pk=package.pk).update(json_file="", pdf_file="")  # erasure

    client.force_login(guardian)
    response = client.get(link)

    assert response.status_code == 404
    assert not AccessPackage.objects.get(pk=package.pk).downloadable
