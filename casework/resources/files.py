"""Reading the files the administrators upload, and keeping them safe until the import.

* **Formats.** A csv as Excel writes it in Italy (semicolons) or elsewhere (commas), in
  UTF-8 with or without BOM or in Windows-1252; an xlsx (first sheet). The admin's format
  classes (:class:`ImportXLSX`, :class:`ImportCSV`) read the bytes themselves.
* **Limits.** ``IMPORT_MAX_UPLOAD_BYTES`` (the file), ``IMPORT_MAX_XLSX_BYTES`` (an xlsx
  unpacked: checked in the zip's directory before anything is unpacked, so a "zip bomb" is
  refused without being expanded), ``IMPORT_MAX_ROWS`` (rows under the header). openpyxl
  reads in its streaming (read-only) mode.
* **Messages.** Every problem with the file as a whole is one :class:`ImportFileError`
  whose message says in Italian what is wrong and what to do; never a traceback.
* **Temporary copies.** The uploaded file waits for the confirmation in
  ``IMPORT_TMP_DIR`` (mode 0700, files 0600, random names), is removed after the
  confirmation, after a preview that cannot be confirmed, and otherwise by the sweep
  (:func:`sweep`, at each import and by ``manage.py sweep_imports``) once older than
  ``IMPORT_TMP_MAX_AGE`` seconds.
* **Progress.** A background import (``casework/importjobs.py``) notes how many rows it has
  read in a small file beside the upload (:func:`write_progress`), which the progress page
  reads (:func:`read_progress`).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import os
import re
import secrets
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import tablib
from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from import_export.formats import base_formats
from import_export.tmp_storages import BaseStorage

from activitycr import export_formats


class ImportFileError(Exception):
    """A problem with the whole file: ``message`` is the Italian text for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def max_rows() -> int:
    return int(settings.IMPORT_MAX_ROWS)


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _(
            "Il file ha più di %(max)s righe: dividerlo in file più piccoli "
            "(l'intestazione va ripetuta in ciascuno)."
        )
        % {"max": f"{max_rows():,}".replace(",", ".")}
    )


def check_upload_size(size: int) -> None:
    limit = int(settings.IMPORT_MAX_UPLOAD_BYTES)
    if size > limit:
        raise ImportFileError(
            _(
                "Il file è troppo grande (%(size)s; al massimo %(max)s): dividerlo in file "
                "più piccoli."
            )
            % {"size": filesizeformat(size), "max": filesizeformat(limit)}
        )


# --- csv ------------------------------------------------------------------------------------

_DELIMITERS = (";", ",", "\t")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                return data.decode("cp1252")
            except UnicodeDecodeError:
                pass
    raise ImportFileError(
        _(
            "Il file non è un testo leggibile (codifica sconosciuta): salvarlo da Excel come "
            "«CSV UTF-8 (delimitato da virgole)» oppure come xlsx."
        )
    )


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _clean_header(cells: Iterable[Any]) -> list[str]:
    header = ["" if c is None else str(c).strip() for c in cells]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise ImportFileError(
            _("Il file è vuoto: la prima riga deve contenere i nomi delle colonne.")
        )
    if "" in header:
        position = header.index("") + 1
        raise ImportFileError(
            _(
                "La colonna %(n)d della prima riga non ha nome: ogni colonna deve avere "
                "nella prima riga il suo nome (es. cognome, nome)."
            )
            % {"n": position}
        )
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise ImportFileError(
                _("La colonna «%(name)s» compare due volte nella prima riga: lasciarne una.")
                % {"name": name}
            )
        seen.add(name)
    return header


def _dataset(header: list[str], rows: Iterator[list[Any]]) -> tablib.Dataset:
    """The rows under the header, padded to its width; blank rows left out."""
    width = len(header)
    limit = max_rows()
    data: list[tuple[Any, ...]] = []
    for number, row in enumerate(rows, start=2):
        if not any(c is not None and (not isinstance(c, str) or c.strip()) for c in row):
            continue
        if len(row) > width:
            extra = row[width:]
            if any(c is not None and (not isinstance(c, str) or c.strip()) for c in extra):
                raise ImportFileError(
                    _(
                        "La riga %(row)d ha più valori delle colonne dell'intestazione "
                        "(%(cells)d invece di %(width)d): controllare il separatore o "
                        "aggiungere il nome della colonna."
                    )
                    % {"row": number, "cells": len(row), "width": width}
                )
            row = row[:width]
        elif len(row) < width:
            row = [*row, *([""] * (width - len(row)))]
        data.append(tuple(row))
        if len(data) > limit:
            raise _too_many_rows()
    dataset = tablib.Dataset(headers=header)
    # Each row has the header's width already: skip tablib's per-row check.
    dataset._data = [tablib.core.Row(row) for row in data]
    if not data:
        raise ImportFileError(
            _("Il file ha solo l'intestazione: nessuna riga da importare sotto di essa.")
        )
    return dataset


def read_csv(data: bytes | str) -> tablib.Dataset:
    if isinstance(data, bytes):
        if data.startswith(b"PK\x03\x04"):
            raise ImportFileError(
                _("Il file è un xlsx (Excel), non un csv: scegliere il formato xlsx.")
            )
        text = decode_text(data)
    else:
        text = data.removeprefix("\ufeff")
    if "\x00" in text[:4096]:
        raise ImportFileError(
            _("Il file non è un csv: salvarlo da Excel come «CSV» oppure scegliere xlsx.")
        )
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        header = _clean_header(next(reader, []))
        return _dataset(header, reader)
    except csv.Error:
        raise ImportFileError(
            _(
                "Il csv non si legge (virgolette non chiuse?): salvarlo di nuovo da Excel "
                "come «CSV» oppure come xlsx."
            )
        ) from None


# --- xlsx -----------------------------------------------------------------------------------

_MAX_MEMBERS = 10_000


def check_xlsx_archive(data: bytes) -> None:
    """Refuse what is not an xlsx, or would unpack to too much, before opening it."""
    not_xlsx = _(
        "Il file non è un xlsx (Excel) valido: se è un csv scegliere il formato csv, "
        "altrimenti salvarlo di nuovo da Excel come «Cartella di lavoro Excel (.xlsx)»."
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportFileError(not_xlsx) from None
    with archive:
        members = archive.infolist()
        if len(members) > _MAX_MEMBERS or "xl/workbook.xml" not in archive.namelist():
            raise ImportFileError(not_xlsx)
        unpacked = sum(m.file_size for m in members)
        limit = int(settings.IMPORT_MAX_XLSX_BYTES)
        if unpacked > limit:
            raise ImportFileError(
                _(
                    "Il file xlsx, scompresso, occupa %(size)s (al massimo %(max)s): "
                    "dividerlo in file più piccoli o salvarlo come csv."
                )
                % {"size": filesizeformat(unpacked), "max": filesizeformat(limit)}
            )


def read_xlsx(data: bytes) -> tablib.Dataset:
    import openpyxl  # noqa: PLC0415 - only for xlsx imports

    check_xlsx_archive(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged workbook
        raise ImportFileError(
            _(
                "Il file xlsx è danneggiato e non si legge: aprirlo in Excel e salvarlo di "
                "nuovo, oppure salvarlo come csv."
            )
        ) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise ImportFileError(_("Il file xlsx non ha fogli: niente da importare."))
        rows = sheet.iter_rows(values_only=True)
        header = _clean_header(next(rows, ()))
        return _dataset(header, (list(r) for r in rows))
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(
            _(
                "Il file xlsx è danneggiato e non si legge: aprirlo in Excel e salvarlo di "
                "nuovo, oppure salvarlo come csv."
            )
        ) from None
    finally:
        book.close()


class ImportXLSX(export_formats.XLSX):
    """The admin's xlsx: written as ``activitycr.export_formats.XLSX``, read safely."""

    def create_dataset(self, in_stream: Any) -> tablib.Dataset:
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("latin-1", errors="replace")
        return read_xlsx(in_stream)


class ImportCSV(base_formats.CSV):
    """The admin's csv: read from bytes, whatever the separator and the encoding."""

    def is_binary(self) -> bool:
        return True  # the bytes reach create_dataset, which finds the encoding

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        return read_csv(in_stream)


# --- The temporary copy ---------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z0-9_-]{24,64}")


def tmp_dir() -> Path:
    path = Path(settings.IMPORT_TMP_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


class PrivateTemporaryUploadedFile(TemporaryUploadedFile):
    """An upload too large for memory, spooled in ``IMPORT_TMP_DIR`` (mode 0700, the file
    0600) instead of the system's temporary directory, where every local user could read
    a file of names and codici fiscali while the request runs, and where a worker killed
    mid-request would leave it. Django removes it at the end of the request; the sweep
    removes what a killed worker left."""

    def __init__(
        self,
        name: str,
        content_type: str,
        size: int,
        charset: str | None,
        content_type_extra: dict[str, Any] | None = None,
    ) -> None:
        _stem, ext = os.path.splitext(name)
        file = tempfile.NamedTemporaryFile(suffix=".upload" + ext[:10], dir=tmp_dir())  # noqa: SIM115 - closed with the upload
        UploadedFile.__init__(self, file, name, content_type, size, charset, content_type_extra)


class PrivateUploadHandler(TemporaryFileUploadHandler):
    """``FILE_UPLOAD_HANDLERS``: Django's handler for large uploads, in the private
    directory (``PrivateTemporaryUploadedFile``)."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        FileUploadHandler.new_file(self, *args, **kwargs)
        self.file = PrivateTemporaryUploadedFile(
            self.file_name or "", self.content_type or "", 0, self.charset,
            self.content_type_extra,
        )  # fmt: skip


class PrivateImportStorage(BaseStorage):
    """django-import-export's temporary storage, in a private directory."""

    name: str | None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.name is not None and not _NAME.fullmatch(self.name):
            raise ImportFileError(_("Riferimento al file non valido: caricarlo di nuovo."))

    def path(self) -> Path:
        if self.name is None:
            self.name = secrets.token_urlsafe(24)
        return tmp_dir() / str(self.name)

    def save_chunks(self, chunks: Iterable[bytes]) -> int:
        """Write the upload as it arrives (never all in memory); returns its size."""
        size = 0
        limit = int(settings.IMPORT_MAX_UPLOAD_BYTES)
        fd = os.open(self.path(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    break
                out.write(chunk)
        if size > limit:
            self.remove()
            check_upload_size(size)
        return size

    def save(self, data: bytes | str) -> None:
        self.save_chunks([data.encode() if isinstance(data, str) else data])

    def read(self) -> bytes:
        try:
            return self.path().read_bytes()
        except FileNotFoundError:
            raise ImportFileError(
                _(
                    "Il file caricato non è più disponibile (le anteprime scadono dopo "
                    "un'ora): caricarlo di nuovo."
                )
            ) from None

    def remove(self) -> None:
        if self.name is not None:
            self.path().unlink(missing_ok=True)


def sweep(max_age: float | None = None) -> int:
    """Remove the temporary import files older than ``max_age`` seconds; their number."""
    age = float(settings.IMPORT_TMP_MAX_AGE if max_age is None else max_age)
    limit = time.time() - age
    removed = 0
    for path in tmp_dir().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # removed meanwhile by its own import
    return removed


# --- Progress of a background import --------------------------------------------------------
#
# Why a file and not the job's row: the import runs inside one database transaction, so a
# number written to the database from inside it is invisible to every other connection until
# the end, and on SQLite the import holds the database's only write lock, so a second
# connection could not write it either. A file beside the upload works on both databases and
# across processes: the worker that runs the import already reads the upload from
# IMPORT_TMP_DIR, so the web server that shows the progress sees that directory too. It is
# written whole and then renamed over the old one (``os.replace``, atomic on POSIX), so a
# reader finds the previous number or the new one, never half a file. It holds two numbers
# and nothing from the file; its modification time also shows the import is alive.


def progress_path(name: str) -> Path:
    """The progress file of the upload ``name`` (refused unless a valid upload name)."""
    return PrivateImportStorage(name=name).path().with_name(f"{name}.progress")


def write_progress(name: str, done: int, total: int) -> None:
    path = progress_path(name)
    partial = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            json.dump({"done": int(done), "total": int(total)}, out)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def read_progress(name: str) -> int | None:
    """How many rows the import has read, or None when it has not written it yet."""
    try:
        data = json.loads(progress_path(name).read_text())
        return int(data["done"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def progress_age(name: str) -> float | None:
    """Seconds since the progress was last written (None: never)."""
    try:
        return time.time() - progress_path(name).stat().st_mtime
    except OSError:
        return None


def remove_with_progress(name: str) -> None:
    """Remove the upload ``name`` and its progress file."""
    PrivateImportStorage(name=name).remove()
    progress_path(name).unlink(missing_ok=True)


def touch(name: str) -> None:
    """Restart the upload's time before the sweep (a preview just became ready)."""
    with contextlib.suppress(FileNotFoundError):
        os.utime(PrivateImportStorage(name=name).path())
