"""The new-intake page, and the codice fiscale decoder that prefills it.

One page, four ways in:

* a new person: the person's and the intake's forms;
* ``?persona=<id>``: a person of the user's desks, the intake's form only;
* ``known_cf`` in the POST body: a person known only at other desks (the search found the
  CF); the operator also says why this desk takes them in (security review M6);
* a new person whose typed CF is already registered: that person instead, with what was
  typed for the intake kept in the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from activitycr.http import AuthenticatedHttpRequest
from activitycr.ids import parse_id
from casework import fiscal_code, queries, searchref, services
from casework.editing import apply_validation_error, model_data, resumed
from casework.forms import (
    CrossDeskForm,
    DuplicateConfirmForm,
    IntakeForm,
    KnownPersonForm,
    PersonForm,
)
from casework.models import Intake, Person
from casework.views.common import case_url, desk_from_url, needs
from sportelli.models import Comune, Country, Desk

TEMPLATE = "casework/intake_form.html"
_CONCURRENT_CHANGE = gettext_lazy(
    "Nel frattempo qualcuno ha registrato gli stessi dati: controllare e salvare di nuovo."
)


@needs("casework.add_intake", resumable=True)
def intake_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """New intake in one page: a new person, or a known one (``?persona=<id>`` for a person
    of the user's desks, ``known_cf`` in the POST body for one known at another desk)."""
    if request.method != "POST":
        return _intake_page(request, slug)
    # The same form sent twice (a double click, Back and resend, two requests at the same
    # moment): one after the other, and the second lands on the case the first opened.
    token = request.POST.get("submission_token", "")[:32]
    with services.submission_lock(token):
        done = services.submitted_intake(operator=request.user, token=token)
        if done is not None:
            desk_from_url(request, slug)  # the desk must still be one of the user's
            return redirect(case_url(done))
        return _intake_page(request, slug)


def _intake_page(
    request: AuthenticatedHttpRequest, slug: str, *, retried: bool = False
) -> HttpResponse:
    desk, desks = desk_from_url(request, slug)
    context: dict[str, Any] = {"desk": desk, "desks": desks}
    if "persona" in request.GET:
        person_id = parse_id(request.GET["persona"])
        if person_id is None:
            raise Http404
        person = get_object_or_404(Person.objects.visible_to(request.user), pk=person_id)
        return _known_person(request, desk, person, context)
    if request.method == "POST" and "known_cf" in request.POST:
        return _person_known_elsewhere(request, desk, context)
    return _new_person(request, slug, desk, context, retried=retried)


def _person_known_elsewhere(
    request: AuthenticatedHttpRequest, desk: Desk, context: dict[str, Any]
) -> HttpResponse:
    """The person holding ``known_cf``, whom the search found at another desk only."""
    known_form = KnownPersonForm(request.POST)
    if not known_form.is_valid():
        raise Http404
    code = known_form.cleaned_data["known_cf"]
    person, visible = queries.person_by_cf(user=request.user, code=code)
    if person is None:
        raise Http404
    if visible:  # one of ours after all: the ordinary known-person page
        return redirect(reverse("casework:intake_new", args=[desk.slug]) + f"?persona={person.pk}")
    return _known_person(request, desk, person, context, elsewhere=True, known_form=known_form)


def _cf_from_search(request: AuthenticatedHttpRequest) -> dict[str, str] | None:
    """The CF searched for just before (``?ricerca=<the search's opaque reference>``), so
    that it need not be typed again; a surname or anything else searched is not carried."""
    term = searchref.recall(request, request.GET.get("ricerca"))
    code = fiscal_code.normalise(term or "")
    return {"fiscal_code": code} if queries.CF_SHAPE.fullmatch(code) else None


def _new_person(
    request: AuthenticatedHttpRequest,
    slug: str,
    desk: Desk,
    context: dict[str, Any],
    *,
    retried: bool = False,
) -> HttpResponse:
    initial = None if request.method == "POST" else _cf_from_search(request)
    # Bound on every POST, an empty one too (``request.POST or None`` would leave an empty
    # POST unbound, with no errors to show); on the GET after a new login, to what was
    # typed when the session expired (``editing.resumed``), unsaved.
    data = request.POST if request.method == "POST" else resumed(request)
    person_form = PersonForm(data, user=request.user, initial=initial)
    intake_form = IntakeForm(data)
    context.update(person_form=person_form, intake_form=intake_form)
    if request.method != "POST":
        # The page says "type the CF first": the cursor starts there (after an error the
        # focus goes to the error summary instead).
        person_form.fields["fiscal_code"].widget.attrs["autofocus"] = True
        return render(request, TEMPLATE, context)
    # A CF already registered: the existing person, not a duplicate. What was typed for the
    # intake stays in the form; the operator confirms.
    code = request.POST.get("fiscal_code", "")
    person, visible = queries.person_by_cf(user=request.user, code=code)
    if person is not None:
        context["cf_already_known"] = True
        return _known_person(
            request, desk, person, context, elsewhere=not visible, initial=request.POST.dict()
        )
    person_valid = person_form.is_valid()
    intake_valid = intake_form.is_valid()
    if not (person_valid and intake_valid):
        # All the errors in one round: the intake's checks against the desk and the birth
        # date too, as far as the typed values allow.
        _add_early_intake_errors(desk, person_form, intake_form)
        return render(request, TEMPLATE, context)
    duplicates = _duplicates_to_confirm(request, person_form)
    if duplicates:
        context.update(duplicates)
        return render(request, TEMPLATE, context)
    try:
        intake = _take_in_once(request, desk, intake_form, person_data=model_data(person_form))
    except ValidationError as exc:
        apply_validation_error(intake_form, exc, person_form)
    except IntegrityError:
        # A colleague registered the same codice fiscale a moment ago: the page of a known
        # person, with what was typed for the intake.
        if request.POST.get("fiscal_code") and not retried:
            return _intake_page(request, slug, retried=True)
        intake_form.add_error(None, _CONCURRENT_CHANGE)
    else:
        messages.success(request, _("Presa in carico registrata."))
        warning = person_form.sex_warning()
        if warning:
            messages.warning(request, warning)
        return redirect(case_url(intake))
    return render(request, TEMPLATE, context)


def _add_early_intake_errors(desk: Desk, person_form: PersonForm, intake_form: IntakeForm) -> None:
    data = getattr(intake_form, "cleaned_data", {})
    opened_on = data.get("opened_on")
    if opened_on is None:
        return
    probe = Intake(
        desk=desk, opened_on=opened_on, unemployment_months=data.get("unemployment_months")
    )
    birth_date = getattr(person_form, "cleaned_data", {}).get("birth_date")
    for field, message in probe.early_check_errors(birth_date).items():
        if field in intake_form.fields and not intake_form.has_error(field):
            intake_form.add_error(field, message)


def _duplicates_to_confirm(
    request: AuthenticatedHttpRequest, person_form: PersonForm
) -> dict[str, Any]:
    """A person without a CF who looks like one already registered (same name and birth
    date): the people found and the confirmation form, until the operator confirms."""
    data = person_form.cleaned_data
    if data.get("fiscal_code"):
        return {}
    duplicates = queries.likely_duplicates(
        user=request.user,
        last_name=data["last_name"],
        first_name=data["first_name"],
        birth_date=data["birth_date"],
    )
    duplicate_form = DuplicateConfirmForm(request.POST)
    duplicate_form.is_valid()
    if not duplicates or duplicate_form.cleaned_data.get("confirm_new_person"):
        return {}
    return {"duplicates": duplicates, "duplicate_form": duplicate_form}


def _take_in_once(
    request: AuthenticatedHttpRequest,
    desk: Desk,
    intake_form: IntakeForm,
    **kwargs: Any,
) -> Intake:
    """``services.take_in`` for this form once: the same form sent twice (a double click,
    two requests at the same moment) gives the case the first one opened, never a second
    case nor an error. Any other refusal by the database is re-raised (IntegrityError)."""
    try:
        return services.take_in(
            operator=request.user, desk=desk, intake_data=model_data(intake_form), **kwargs
        )
    except IntegrityError:
        token = intake_form.cleaned_data.get("submission_token")
        done = services.submitted_intake(operator=request.user, token=token)
        if done is None:
            raise
        return done


def _open_intake(person: Person, desk: Desk) -> Intake | None:
    """The person's open case at ``desk`` (at most one: a named constraint), if any."""
    return person.intakes.open().filter(desk=desk).first()


def _known_person(
    request: AuthenticatedHttpRequest,
    desk: Desk,
    person: Person,
    context: dict[str, Any],
    *,
    elsewhere: bool = False,
    known_form: KnownPersonForm | None = None,
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    """The intake part only, for a person already registered: here, or only at other desks
    (``elsewhere``: the operator then says why they take the person in here)."""
    if not elsewhere:
        open_here = _open_intake(person, desk)
        if open_here is not None:  # never a form that would then be refused: that case
            messages.info(
                request,
                _(
                    "%(name)s ha già una presa in carico aperta in questo sportello: eccola. "
                    "Da qui si aggiunge un colloquio o un invio."
                )
                % {"name": f"{person.last_name} {person.first_name}"},
            )
            return redirect(case_url(open_here))
    step_start = request.method == "POST" and request.POST.get("step") == "start"
    if step_start and initial is None:
        initial = request.POST.dict()  # what was typed for the intake comes along
    starting = initial is not None or request.method != "POST"
    intake_form = IntakeForm(None if starting else request.POST, initial=initial)
    reason_form = None
    if elsewhere:  # the surname the operator typed on the first step comes along (B 27)
        typed = {"last_name_check": (initial or {}).get("last_name", "")}
        reason_form = CrossDeskForm(
            None if starting else request.POST, person=person, initial=typed
        )
    action = reverse("casework:intake_new", args=[desk.slug])
    if not elsewhere:
        action += f"?persona={person.pk}"
    context.update(
        known=person,
        known_elsewhere=elsewhere,
        known_form=known_form or KnownPersonForm(initial={"known_cf": person.fiscal_code}),
        intake_form=intake_form,
        reason_form=reason_form,
        form_action=action,
    )
    reason_valid = reason_form is None or reason_form.is_valid()
    if starting or not intake_form.is_valid() or not reason_valid:
        return render(request, TEMPLATE, context)
    reason = reason_form.cleaned_data if reason_form else {"reason": "", "note": ""}
    try:
        intake = _take_in_once(
            request,
            desk,
            intake_form,
            person=person,
            cross_desk_reason=reason["reason"],
            cross_desk_note=reason["note"],
        )
    except ValidationError as exc:
        apply_validation_error(intake_form, exc, *([reason_form] if reason_form else []))
    except IntegrityError:
        # A colleague opened a case for this person here a moment ago: that case.
        open_here = _open_intake(person, desk)
        if open_here is not None:
            messages.info(
                request,
                _(
                    "Nel frattempo è stata aperta una presa in carico per questa persona in "
                    "questo sportello: eccola."
                ),
            )
            return redirect(case_url(open_here))
        intake_form.add_error(None, _CONCURRENT_CHANGE)
    else:
        messages.success(request, _("Presa in carico registrata."))
        return redirect(case_url(intake))
    return render(request, TEMPLATE, context)


@needs("casework.add_intake")
@require_POST
def cf_decode(request: AuthenticatedHttpRequest) -> JsonResponse:
    """What a codice fiscale says (for the intake form's prefill), and whether its person is
    already registered — with a way to their open case at this desk, or to take them in —
    or known only at another desk (existence only, as the search says). POST: a CF never
    goes in a URL. Answers in Italian."""
    code = fiscal_code.normalise(request.POST.get("fiscal_code", ""))
    try:
        data = fiscal_code.decode(code)
    except ValidationError as exc:
        return JsonResponse({"valid": False, "error": " ".join(exc.messages)})
    birthplace = ""
    country_id = None
    if data.born_abroad:
        country = Country.objects.filter(code=data.birthplace_code).first()
        country_id = country.pk if country else None
        birthplace = country.name if country else data.birthplace_name
    else:
        comune = Comune.objects.filter(code=data.birthplace_code).first()
        birthplace = str(comune) if comune else data.birthplace_name
    gender = request.POST.get("gender", "")
    return JsonResponse(
        {
            "valid": True,
            "birth_date": data.birth_date.isoformat(),
            "birth_date_display": formats.date_format(data.birth_date, "SHORT_DATE_FORMAT"),
            "sex": data.sex,
            "born_abroad": data.born_abroad,
            "birthplace": birthplace,
            "birthplace_country": country_id,
            "sex_warning": fiscal_code.sex_mismatch(data, gender) or "",
            "registered": _registration(request, code, request.POST.get("desk", "")),
        }
    )


def _registration(request: AuthenticatedHttpRequest, code: str, desk_slug: str) -> dict[str, Any]:
    """Whether the person holding ``code`` is already registered, for the live CF check."""
    person, visible = queries.person_by_cf(user=request.user, code=code)
    if person is None:
        return {"status": "", "message": "", "links": []}
    if not visible:
        return {
            "status": "elsewhere",
            "message": _(
                "Persona già conosciuta presso un altro sportello: la presa in carico userà "
                "la sua anagrafica e chiederà il motivo."
            ),
            "links": [],
        }
    case = {"url": reverse("casework:person", args=[person.pk]), "label": _("Apri la scheda")}
    desk = Desk.objects.visible_to(request.user).filter(slug=desk_slug[:60]).first()
    open_here = _open_intake(person, desk) if desk else None
    if open_here is not None:
        return {
            "status": "here",
            "message": _("Persona già registrata, con una presa in carico aperta qui."),
            "links": [
                case,
                {
                    "url": reverse("casework:meeting_add", args=[open_here.pk]),
                    "label": _("Aggiungi un colloquio"),
                },
            ],
        }
    take_in = {
        "url": reverse("casework:intake_new", args=[desk.slug]) + f"?persona={person.pk}"
        if desk
        else case["url"],
        "label": _("Prendila in carico qui"),
    }
    return {
        "status": "yours",
        "message": _("Persona già registrata nei tuoi sportelli."),
        "links": [take_in, case],
    }
