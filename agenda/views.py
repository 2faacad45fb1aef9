"""The agenda's pages: a desk's and an operator's day and week, booking, moving,
cancelling, marking a no-show, consent to reminders.

Objects come through the scoped QuerySets (another desk's appointment is a 404); a
missing permission is a 403; every write is a POST answered by a redirect.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activitycr import clock
from activitycr.http import AuthenticatedHttpRequest
from agenda import queries, services
from agenda.forms import AppointmentForm, ConsentForm
from agenda.models import Appointment, AppointmentStatus, ReminderConsent
from casework.editing import apply_validation_error, form_page
from casework.models import Intake, Person
from casework.views.common import case_url, desk_from_url, needs
from sportelli.models import Desk

WEEK = "settimana"
DAY = "giorno"


def _day_from(request: AuthenticatedHttpRequest) -> dt.date:
    """The day asked for (``?data=YYYY-MM-DD``); today when missing or not a date."""
    raw = request.GET.get("data", "")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return clock.today()


def _operator_from(request: AuthenticatedHttpRequest) -> int | None:
    raw = request.GET.get("operatore", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _agenda_page(
    request: AuthenticatedHttpRequest,
    *,
    desk: Desk | None,
    desks: list[Desk],
    operator_id: int | None,
    url: str,
) -> HttpResponse:
    view = WEEK if request.GET.get("vista") == WEEK else DAY
    day = _day_from(request)
    first = queries.monday(day) if view == WEEK else day
    length = 7 if view == WEEK else 1
    step = dt.timedelta(days=length)
    days = queries.agenda_days(
        user=request.user, first=first, days=length, desk=desk, operator_id=operator_id
    )

    def link(**params: str) -> str:
        query = {"vista": view, "data": first.isoformat()}
        if operator_id is not None and desk is not None:
            query["operatore"] = str(operator_id)
        query.update(params)
        return f"{url}?{urlencode(query)}"

    operators = (
        list(desk.operators.order_by("username").only("id", "username", "first_name", "last_name"))
        if desk is not None
        else []
    )
    return render(
        request,
        "agenda/agenda.html",
        {
            "desk": desk,
            "desks": desks,
            "view": view,
            "days": days,
            "first": first,
            "last": first + step - dt.timedelta(days=1),
            "today": clock.today(),
            "now": clock.now(),
            "operator_id": operator_id,
            "operators": operators,
            "mine": desk is None,
            "prev_url": link(data=(first - step).isoformat()),
            "next_url": link(data=(first + step).isoformat()),
            "today_url": link(data=clock.today().isoformat()),
            "day_url": link(vista=DAY),
            "week_url": link(vista=WEEK),
            "base_url": url,
            "can_change": request.user.has_perm("agenda.change_appointment"),
            "can_record": request.user.has_perm("casework.add_meeting"),
        },
    )


@needs("agenda.view_appointment")
def desk_agenda(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A desk's agenda, a day (default) or a week (``?vista=settimana``), optionally one
    operator's (``?operatore=<id>``)."""
    desk, desks = desk_from_url(request, slug)
    return _agenda_page(
        request,
        desk=desk,
        desks=desks,
        operator_id=_operator_from(request),
        url=reverse("agenda:desk", args=[desk.slug]),
    )


@needs("agenda.view_appointment")
def my_agenda(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The logged-in operator's own appointments at every desk of theirs."""
    desks = list(Desk.objects.visible_to(request.user).order_by("opened_on", "name"))
    return _agenda_page(
        request, desk=None, desks=desks, operator_id=request.user.pk, url=reverse("agenda:mine")
    )


def _intake_for_booking(request: AuthenticatedHttpRequest, pk: int) -> Intake:
    return get_object_or_404(
        Intake.objects.visible_to(request.user).select_related("person", "desk"), pk=pk
    )


@needs("agenda.add_appointment", resumable=True)
def book(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Book an appointment in a case (from the case page)."""
    intake = _intake_for_booking(request, pk)
    form = AppointmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.book(intake=intake, operator=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Appuntamento fissato."))
            return redirect(case_url(intake))
    return form_page(
        request,
        {
            "form": form,
            "intake": intake,
            "title": _("Nuovo appuntamento con %(name)s") % {"name": intake.person},
            "back_url": case_url(intake),
        },
    )


def _appointment_for_write(request: AuthenticatedHttpRequest, pk: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.visible_to(request.user).select_related("person", "desk", "intake"),
        pk=pk,
    )


@needs("agenda.change_appointment", resumable=True)
def reschedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Move a booked appointment (the person with consent gets the updated invitation)."""
    appt = _appointment_for_write(request, pk)
    back = case_url(appt.intake)
    if appt.status != AppointmentStatus.BOOKED:
        messages.warning(request, _("Si può spostare solo un appuntamento prenotato."))
        return redirect(back)
    form = AppointmentForm(request.POST or None, instance=Appointment(**_copy(appt)))
    if request.method == "POST" and form.is_valid():
        try:
            services.reschedule(
                appointment=appt,
                operator=request.user,
                starts_at=form.cleaned_data["starts_at"],
                mode=form.cleaned_data["mode"],
                place=form.cleaned_data["place"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Appuntamento spostato."))
            return redirect(back)
    return form_page(
        request,
        {
            "form": form,
            "intake": appt.intake,
            "title": _("Sposta l'appuntamento con %(name)s") % {"name": appt.person},
            "back_url": back,
        },
    )


def _copy(appt: Appointment) -> dict[str, object]:
    return {
        "starts_at": appt.starts_at,
        "mode": appt.mode,
        "duration_minutes": appt.duration_minutes,
        "place": appt.place,
    }


def _back(request: AuthenticatedHttpRequest, fallback: str) -> str:
    """Back to the agenda the button was pressed on (a local path only), else the case."""
    target = request.POST.get("next", "")
    local = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts=None, require_https=False
    )
    return target if local else fallback


@require_POST
@needs("agenda.change_appointment")
def cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appt = _appointment_for_write(request, pk)
    try:
        services.cancel(appointment=appt)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Appuntamento annullato."))
    return redirect(_back(request, case_url(appt.intake)))


@require_POST
@needs("agenda.change_appointment")
def mark(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One click: the person did not come (``esito=mancato``, a no-show) or sent word
    (``esito=giustificato``)."""
    appt = _appointment_for_write(request, pk)
    status = request.POST.get("esito", AppointmentStatus.MISSED)
    try:
        services.mark(appointment=appt, status=status)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        label = AppointmentStatus(status).label
        messages.success(request, _("Segnato: %(status)s.") % {"status": label})
    return redirect(_back(request, case_url(appt.intake)))


@needs("agenda.add_reminderconsent", resumable=True)
def consent_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record the person's consent to reminders on one channel."""
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    back = reverse("casework:person", args=[person.pk]) + "#promemoria"
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.give_consent(person=person, operator=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Consenso ai promemoria registrato."))
            return redirect(back)
    return form_page(
        request,
        {
            "form": form,
            "title": _("Consenso ai promemoria di %(name)s") % {"name": person},
            "back_url": back,
        },
    )


@require_POST
@needs("agenda.change_reminderconsent")
def consent_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    consent = get_object_or_404(
        ReminderConsent.objects.filter(person__in=Person.objects.visible_to(request.user)), pk=pk
    )
    services.withdraw_consent(consent=consent, operator=request.user)
    messages.success(
        request, _("Consenso revocato: non partiranno più promemoria su questo canale.")
    )
    return redirect(reverse("casework:person", args=[consent.person_id]) + "#promemoria")
