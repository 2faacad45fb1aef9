"""Downloads of the review: the quarterly workbook and the pseudonymised record-level export.

Both read the same query string as the review page (period, start, end, desk: no personal
data) through the same form, and start from the scoped querysets: a desk the user does not
see is a 404, a missing permission a 403, an anonymous user goes to the login page.
"""

from __future__ import annotations

import base64
import tempfile
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from activitycr.http import AuthenticatedHttpRequest
from audit.reads import record_export
from casework.models import Intake
from casework.permissions import reads_review, sees_all_desks, sees_special_categories
from reports.forms import ReviewFilterForm
from reports.models import SentFile, SentReview
from reports.records import record_rows, records_filename, write_records_xlsx
from reports.review import compute_review
from reports.sending import may_read_sent
from reports.views import can_see_review
from reports.workbook import Variant, build_workbook, may_use_variant, workbook_filename
from sportelli.models import Desk

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _selection(request: HttpRequest) -> tuple[ReviewFilterForm, list[Desk] | None]:
    """The period form and the selected desks (``None`` = every desk the user sees)."""
    user = request.user
    desks = list(Desk.objects.visible_to(user).order_by("pk"))
    slug = request.GET.get("desk", "")
    if slug and slug not in {desk.slug for desk in desks}:
        raise Http404  # a desk the user does not see is out of scope
    form = ReviewFilterForm(
        request.GET,
        desks=desks,
        today=timezone.localdate(),
        whole_project=sees_all_desks(user),
    )
    selected = [desk for desk in desks if desk.slug == slug] if slug else None
    return form, selected


def _back_to_review(request: HttpRequest) -> HttpResponse:
    """An invalid period: the review page shows the form with its Italian errors."""
    query = request.GET.urlencode()
    return redirect(f"{reverse('reports:review')}?{query}" if query else reverse("reports:review"))


def _audit(
    request: HttpRequest,
    form: ReviewFilterForm,
    selected: list[Desk] | None,
    *,
    rows: int,
    **details: Any,
) -> None:
    """One audit entry: the download, its period and desk (None: every desk in scope)."""
    data = form.cleaned_data
    record_export(
        request,
        model=Intake,
        rows=rows,
        file_format="xlsx",
        period=data["period"],
        start=data["start"].isoformat(),
        end=data["end"].isoformat(),
        desk=selected[0].slug if selected else None,
        **details,
    )


def _send(handle: Any, filename: str) -> FileResponse:
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def workbook(request: AuthenticatedHttpRequest) -> FileResponse | HttpResponse:
    """The review as an xlsx; ``variant=internal`` only for users who see all desks."""
    user = request.user
    if not can_see_review(user):
        raise PermissionDenied
    variant = request.GET.get("variant", Variant.EXTERNAL)
    if variant not in Variant.values:
        raise Http404
    if not may_use_variant(user, variant):
        raise PermissionDenied
    form, selected = _selection(request)
    if not form.is_valid():
        return _back_to_review(request)
    data = form.cleaned_data
    review = compute_review(user=user, start=data["start"], end=data["end"], desks=selected)
    wb = build_workbook(review=review, user=user, variant=variant)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    wb.save(handle)
    rows = sum(ws.max_row for ws in wb.worksheets)
    _audit(request, form, selected, rows=rows, sheets=len(wb.worksheets), variant=variant)
    return _send(handle, workbook_filename(review, variant=variant, all_desks=selected is None))


@login_required
def records(request: AuthenticatedHttpRequest) -> FileResponse | HttpResponse:
    """The pseudonymised record-level export (``casework.view_reports``), streamed to a
    temporary file with constant memory and sent from there."""
    user = request.user
    if not reads_review(user):
        raise PermissionDenied
    form, selected = _selection(request)
    if not form.is_valid():
        return _back_to_review(request)
    data = form.cleaned_data
    rows = record_rows(user=user, start=data["start"], end=data["end"], desks=selected)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    written = write_records_xlsx(rows, handle)
    _audit(request, form, selected, rows=written)
    filename = records_filename(
        start=data["start"], end=data["end"], desk_slug=selected[0].slug if selected else None
    )
    return _send(handle, filename)


@login_required
def sent_file(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A workbook exactly as it was sent (``?…&version=N&variant=external|internal``), byte
    for byte, with its SHA-256 in ``Repr-Digest``. Ufficio di Piano and administrators; a
    version holding special-category tables only for who may see them. Audited."""
    user = request.user
    if not may_read_sent(user):
        raise PermissionDenied
    variant = request.GET.get("variant", Variant.EXTERNAL)
    version = request.GET.get("version", "")
    if variant not in Variant.values or not version.isdigit() or len(version) > 5:
        raise Http404
    form, selected = _selection(request)
    if not form.is_valid():
        return _back_to_review(request)
    data = form.cleaned_data
    sending = (
        SentReview.objects.filter(
            start=data["start"],
            end=data["end"],
            desk=selected[0] if selected else None,
            version=int(version),
        )
        .only("pk", "includes_special", "figures")
        .first()
    )
    if sending is None:
        raise Http404
    if sending.includes_special and not sees_special_categories(user):
        raise PermissionDenied
    sent = SentFile.objects.filter(sending=sending, variant=variant).first()
    if sent is None:
        raise Http404
    content = bytes(sent.content)
    rows = sum(len(t["rows"]) for t in sending.figures[variant]["tables"])
    _audit(
        request,
        form,
        selected,
        rows=rows,
        variant=variant,
        sent_version=int(version),
        sha256=sent.sha256,
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{sent.filename}"'
    response["Cache-Control"] = "no-store"
    digest = base64.b64encode(bytes.fromhex(sent.sha256)).decode()
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response
