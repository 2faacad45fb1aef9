"""SMS backends: how a reminder text reaches a phone.

The backend is named by the setting ``SMS_BACKEND`` (a dotted path, environment variable
of the same name). Two come with the app, for development and tests:

* ``agenda.sms.ConsoleBackend`` writes each message to standard output;
* ``agenda.sms.FileBackend`` writes each message as a file in ``SMS_FILE_PATH``.

A real gateway is a class with the same interface (docs/operations.md, "SMS"):
``send(*, to: str, text: str) -> None`` sends one message to a number in E.164 form
(``+393331234567``) and returns when the gateway has accepted it, or raises ``SmsError``
(temporary: it will be retried) or ``SmsRejected`` (permanent: the number is refused; no
retry). It must never log the number or the text.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The message could not be sent now; a later attempt may work."""


class SmsRejected(SmsError):
    """The gateway refused the message for good (a wrong number, a blocked recipient)."""


class SmsBackend(Protocol):
    def send(self, *, to: str, text: str) -> None: ...


class ConsoleBackend:
    """Development: the message on standard output (the worker's terminal)."""

    def send(self, *, to: str, text: str) -> None:
        sys.stdout.write(f"SMS to {to}\n{text}\n{'-' * 40}\n")
        sys.stdout.flush()


class FileBackend:
    """Development and tests: one ``.txt`` file per message in ``SMS_FILE_PATH``."""

    def send(self, *, to: str, text: str) -> None:
        folder = Path(settings.SMS_FILE_PATH)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{uuid.uuid4().hex}.txt").write_text(f"To: {to}\n\n{text}\n", "utf-8")
        except OSError as exc:
            raise SmsError(type(exc).__name__) from exc


def get_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend
