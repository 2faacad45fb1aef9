"""The operators' pages. Thin views: form -> service -> redirect (post/redirect/get).

Every object comes through the scoped QuerySets (``visible_to(user)``): out of scope is a
404, a missing permission a 403, an anonymous user is sent to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from activitycr.ids import parse_id
from casework import fiscal_code, queries, services
from casework.forms import (
    CloseIntakeForm,
    CrossDeskForm,
    DuplicateConfirmForm,
    IntakeForm,
    KnownPersonForm,
    MeetingEditForm,
    MeetingForm,
    PersonEditForm,
    PersonForm,
    ReferralEditForm,
    ReferralForm,
    ReferralOutcomeForm,
    ReopenIntakeForm,
    SearchForm,
)
from casework.models import Intake, Meeting, Person, Referral
from sportelli.models import Comune, Country, Desk

View = Callable[..., HttpResponse]


def needs(perm: str) -> Callable[[View], View]:
    """Anonymous -> login page; logged in without ``perm`` -> 403."""

    def decorator(view: View) -> View:
        return login_required(permission_required(perm, raise_exception=True)(view))

    return decorator


def _desk(request: HttpRequest, slug: str) -> tuple[Desk, list[Desk]]:
    """The desk of the URL, if the user may see it (else 404), and all the user's desks."""
    desks = list(Desk.objects.visible_to(request.user).order_by("opened_on", "name"))
    for desk in desks:
        if desk.slug == slug:
            return desk, desks
    raise Http404


def _case_url(intake: Intake) -> str:
    return reverse("casework:person", args=[intake.person_id]) + f"#presa-{intake.pk}"


def _apply_validation_error(form: Any, exc: ValidationError, *others: Any) -> None:
    """Put a model's ValidationError on the fields of whichever form has them (``form``'s
    non-field errors otherwise)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.error_dict.items():
        target = next((f for f in (form, *others) if field in f.fields), None)
        if target is None:
            form.add_error(None, errors)
        else:
            target.add_error(field, errors)


# --- Home, dashboard, search -------------------------------------------------------------


@needs("casework.view_intake")
def home(request: HttpRequest) -> HttpResponse:
    """After login: the dashboard of the desk last used, or of the user's first desk."""
    desks = list(Desk.objects.visible_to(request.user).order_by("opened_on", "name"))
    if not desks:
        return render(request, "casework/no_desk.html")
    last = request.session.get("desk")
    desk = next((d for d in desks if d.slug == last), desks[0])
    return redirect("casework:desk", slug=desk.slug)


@needs("casework.view_intake")
def desk_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    desk, desks = _desk(request, slug)
    request.session["desk"] = desk.slug
    return render(
        request,
        "casework/dashboard.html",
        {
            "desk": desk,
            "desks": desks,
            "board": queries.dashboard(desk=desk),
            "board_cross_desk_days": queries.CROSS_DESK_DAYS,
            "search_form": SearchForm(),
            "can_add": request.user.has_perm("casework.add_intake"),
        },
    )


@needs("casework.view_person")
def search(request: HttpRequest, slug: str) -> HttpResponse:
    """People search. The query travels in the POST body (it may be a CF): never in a URL,
    and the results are rendered directly, with no redirect carrying it."""
    desk, desks = _desk(request, slug)
    result = None
    if request.method == "POST":
        form = SearchForm(request.POST)
        if form.is_valid():
            result = queries.search_people(user=request.user, query=form.cleaned_data["q"])
    else:
        form = SearchForm()
    return render(
        request,
        "casework/search.html",
        {
            "desk": desk,
            "desks": desks,
            "search_form": form,
            "result": result,
            "can_add": request.user.has_perm("casework.add_intake"),
        },
    )


# --- New intake --------------------------------------------------------------------------


@needs("casework.add_intake")
def intake_new(request: HttpRequest, slug: str) -> HttpResponse:
    """New intake in one page: a new person, or a known one (``?persona=<id>`` for a person
    of the user's desks, ``known_cf`` in the POST body for one known at another desk)."""
    if request.method != "POST":
        return _intake_new(request, slug)
    # The same form sent twice (a double click, Back and resend, two requests at the same
    # moment): one after the other, and the second lands on the case the first opened.
    token = request.POST.get("submission_token", "")[:32]
    with services.submission_lock(token):
        done = services.submitted_intake(operator=request.user, token=token)
        if done is not None:
            _desk(request, slug)  # the desk must still be one of the user's
            return redirect(_case_url(done))
        return _intake_new(request, slug)


def _intake_new(request: HttpRequest, slug: str) -> HttpResponse:
    desk, desks = _desk(request, slug)
    known: Person | None = None
    known_elsewhere = False
    known_form = None
    if "persona" in request.GET:
        person_id = parse_id(request.GET["persona"])
        if person_id is None:
            raise Http404
        known = get_object_or_404(Person.objects.visible_to(request.user), pk=person_id)
    elif request.method == "POST" and "known_cf" in request.POST:
        known_form = KnownPersonForm(request.POST)
        if not known_form.is_valid():
            raise Http404
        known = Person.objects.filter(fiscal_code=known_form.cleaned_data["known_cf"]).first()
        if known is None:
            raise Http404
        known_elsewhere = not Person.objects.visible_to(request.user).filter(pk=known.pk).exists()
        if not known_elsewhere:  # one of ours after all: the ordinary known-person page
            return redirect(
                reverse("casework:intake_new", args=[desk.slug]) + f"?persona={known.pk}"
            )

    context: dict[str, Any] = {"desk": desk, "desks": desks}
    if known is not None:
        return _intake_for_known(request, desk, known, known_elsewhere, known_form, context)

    person_form = PersonForm(request.POST or None, user=request.user)
    intake_form = IntakeForm(request.POST or None)
    duplicate_form = None
    context.update(person_form=person_form, intake_form=intake_form)
    if request.method == "POST":
        # A CF already registered: the existing person, not a duplicate. What was typed for
        # the intake stays in the form; the operator confirms.
        typed_cf = fiscal_code.normalise(request.POST.get("fiscal_code", ""))
        existing = Person.objects.filter(fiscal_code=typed_cf).first() if typed_cf else None
        if existing is not None:
            visible = Person.objects.visible_to(request.user).filter(pk=existing.pk).exists()
            context["cf_already_known"] = True
            return _intake_for_known(
                request,
                desk,
                existing,
                not visible,
                None,
                context,
                initial=request.POST.dict(),
            )
        person_valid = person_form.is_valid()
        intake_valid = intake_form.is_valid()
        if person_valid and intake_valid:
            data = person_form.cleaned_data
            duplicates = []
            if not data.get("fiscal_code"):
                duplicates = queries.likely_duplicates(
                    user=request.user,
                    last_name=data["last_name"],
                    first_name=data["first_name"],
                    birth_date=data["birth_date"],
                )
            duplicate_form = DuplicateConfirmForm(request.POST)
            duplicate_form.is_valid()
            if duplicates and not duplicate_form.cleaned_data.get("confirm_new_person"):
                context.update(duplicates=duplicates, duplicate_form=duplicate_form)
                return render(request, "casework/intake_form.html", context)
            try:
                intake = _take_in_once(
                    request, desk, intake_form, person_data=_model_data(person_form)
                )
            except ValidationError as exc:
                _apply_validation_error(intake_form, exc, person_form)
            except IntegrityError:
                # A colleague registered the same codice fiscale a moment ago: the page
                # of a known person, with what was typed for the intake.
                if request.POST.get("fiscal_code") and not getattr(request, "_retried", False):
                    request._retried = True
                    return _intake_new(request, slug)
                intake_form.add_error(None, _CONCURRENT_CHANGE)
            else:
                messages.success(request, _("Presa in carico registrata."))
                warning = person_form.sex_warning()
                if warning:
                    messages.warning(request, warning)
                return redirect(_case_url(intake))
    return render(request, "casework/intake_form.html", context)


_CONCURRENT_CHANGE = gettext_lazy(
    "Nel frattempo qualcuno ha registrato gli stessi dati: controllare e salvare di nuovo."
)


def _take_in_once(request: HttpRequest, desk: Desk, intake_form: Any, **kwargs: Any) -> Intake:
    """``services.take_in`` for this form once: the same form sent twice (a double click,
    two requests at the same moment) gives the case the first one opened, never a second
    case nor an error. Any other refusal by the database is re-raised (IntegrityError)."""
    try:
        return services.take_in(
            operator=request.user, desk=desk, intake_data=_model_data(intake_form), **kwargs
        )
    except IntegrityError:
        token = intake_form.cleaned_data.get("submission_token")
        done = services.submitted_intake(operator=request.user, token=token)
        if done is None:
            raise
        return done


def _model_data(form: Any) -> dict[str, Any]:
    """The cleaned values of a ModelForm's model fields (not its extra fields)."""
    names = {f.name for f in form._meta.model._meta.get_fields()}
    return {k: v for k, v in form.cleaned_data.items() if k in names}


def _intake_for_known(
    request: HttpRequest,
    desk: Desk,
    known: Person,
    known_elsewhere: bool,
    known_form: KnownPersonForm | None,
    context: dict[str, Any],
    *,
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    """The intake part only, for a person already registered (here or at another desk)."""
    starting = (
        initial is not None or request.method != "POST" or request.POST.get("step") == "start"
    )
    intake_form = IntakeForm(None if starting else request.POST, initial=initial)
    # Someone followed only at other desks: the operator says why they take them in here.
    reason_form = CrossDeskForm(None if starting else request.POST) if known_elsewhere else None
    action = reverse("casework:intake_new", args=[desk.slug])
    if not known_elsewhere:
        action += f"?persona={known.pk}"
    context.update(
        known=known,
        known_elsewhere=known_elsewhere,
        known_form=known_form or KnownPersonForm(initial={"known_cf": known.fiscal_code}),
        intake_form=intake_form,
        reason_form=reason_form,
        form_action=action,
    )
    reason_valid = reason_form is None or reason_form.is_valid()
    if not starting and intake_form.is_valid() and reason_valid:
        try:
            intake = _take_in_once(
                request,
                desk,
                intake_form,
                person=known,
                cross_desk_reason=reason_form.cleaned_data["reason"] if reason_form else "",
                cross_desk_note=reason_form.cleaned_data["note"] if reason_form else "",
            )
        except ValidationError as exc:
            _apply_validation_error(intake_form, exc, *([reason_form] if reason_form else []))
        except IntegrityError:
            # A colleague opened a case for this person here a moment ago: that case.
            open_here = known.intakes.open().filter(desk=desk).first()
            if open_here is not None:
                messages.info(
                    request,
                    _(
                        "Nel frattempo è stata aperta una presa in carico per questa persona in "
                        "questo sportello: eccola."
                    ),
                )
                return redirect(_case_url(open_here))
            intake_form.add_error(None, _CONCURRENT_CHANGE)
        else:
            messages.success(request, _("Presa in carico registrata."))
            return redirect(_case_url(intake))
    return render(request, "casework/intake_form.html", context)


@needs("casework.add_intake")
@require_POST
def cf_decode(request: HttpRequest) -> JsonResponse:
    """What a codice fiscale says (for the intake form's prefill). POST: a CF never goes
    in a URL. Answers in Italian; tells nothing about who holds the code."""
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
        }
    )


# --- Case page ---------------------------------------------------------------------------


@needs("casework.view_person")
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page: the person and their intakes at the user's desks, as a timeline."""
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related(
            "residence_comune", "residence_country", "birthplace_comune", "birthplace_country"
        ),
        pk=pk,
    )
    intakes = queries.case_intakes(user=request.user, person=person)
    user = request.user
    open_desks = {i.desk_id for i in intakes if i.is_open}
    can_add_intake = user.has_perm("casework.add_intake")
    return render(
        request,
        "casework/person_detail.html",
        {
            "person": person,
            "intakes": intakes,
            "can_change": user.has_perm("casework.change_intake"),
            "can_add_meeting": user.has_perm("casework.add_meeting"),
            "can_add_referral": user.has_perm("casework.add_referral"),
            "can_change_person": user.has_perm("casework.change_person"),
            "new_intake_desks": [
                d
                for d in Desk.objects.filter(operators=user).order_by("opened_on", "name")
                if d.pk not in open_desks
            ]
            if can_add_intake
            else [],
        },
    )


@needs("casework.view_intake")
def intake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    intake = get_object_or_404(Intake.objects.visible_to(request.user), pk=pk)
    return redirect(_case_url(intake))


def _form_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render(request, "casework/form_page.html", context)


def _saved_values(form: Any, instance: models.Model) -> list[tuple[str, str]]:
    """(label, value as shown) of the form's fields on the saved record (conflict panel)."""
    rows = []
    for name, field in form.fields.items():
        if name == "version":
            continue
        model_field = instance._meta.get_field(name)
        if model_field.many_to_many:
            value = ", ".join(str(o) for o in getattr(instance, name).all())
        elif model_field.choices:
            value = getattr(instance, f"get_{name}_display")()
        else:
            raw = getattr(instance, name)
            if raw is None or raw == "":
                value = "—"
            elif isinstance(raw, bool):
                value = _("Sì") if raw else _("No")
            else:
                value = formats.localize(raw) if not isinstance(raw, models.Model) else str(raw)
        rows.append((str(field.label), str(value)))
    return rows


def _versioned_edit(
    request: HttpRequest,
    *,
    form_class: type,
    instance: models.Model,
    save: Callable[[Any, int], Any],
    success_url: str,
    success_message: str,
    context: dict[str, Any],
    form_kwargs: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET: the form with the record's version. POST: validate, save only if the version is
    still the stored one; on a conflict keep the input, show what is saved now, and carry
    the new version so that a second save is a deliberate overwrite."""
    form_kwargs = form_kwargs or {}
    model = type(instance)
    if request.method != "POST":
        form = form_class(instance=instance, initial={"version": instance.version}, **form_kwargs)
        return _form_page(request, {**context, "form": form})
    form = form_class(request.POST, instance=instance, **form_kwargs)
    if form.is_valid():
        try:
            save(form, form.cleaned_data["version"])
        except services.ConflictError as exc:
            current = model._default_manager.get(pk=instance.pk)
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = form_class(
                data, instance=model._default_manager.get(pk=instance.pk), **form_kwargs
            )
            form.is_valid()
            form.add_error(None, str(exc))
            context.update(conflict=True, saved_values=_saved_values(form, current))
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, success_message)
            return redirect(success_url)
    return _form_page(request, {**context, "form": form})


@needs("casework.change_person")
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    url = reverse("casework:person", args=[person.pk])

    def save(form: PersonEditForm, version: int) -> None:
        fields = [f for f in form.fields if f != "version"]
        services.update_person(person=form.instance, version=version, fields=fields)

    return _versioned_edit(
        request,
        form_class=PersonEditForm,
        instance=person,
        save=save,
        success_url=url,
        success_message=_("Dati della persona aggiornati."),
        context={"title": _("Modifica dati di %(name)s") % {"name": person}, "back_url": url},
        form_kwargs={"user": request.user},
    )


# --- Meetings, referrals, closing --------------------------------------------------------


def _intake_for_write(request: HttpRequest, pk: int) -> Intake:
    return get_object_or_404(
        Intake.objects.visible_to(request.user).select_related("person", "desk"), pk=pk
    )


@needs("casework.add_meeting")
def meeting_add(request: HttpRequest, pk: int) -> HttpResponse:
    intake = _intake_for_write(request, pk)
    form = MeetingForm(request.POST or None, instance=Meeting(intake=intake))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_meeting(
                intake=intake,
                operator=request.user,
                data=_model_data_without_m2m(form),
                activities=form.cleaned_data["activities"],
            )
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, _("Colloquio registrato."))
            return redirect(_case_url(intake))
    return _form_page(
        request,
        {
            "form": form,
            "intake": intake,
            "title": _("Nuovo colloquio con %(name)s") % {"name": intake.person},
            "back_url": _case_url(intake),
        },
    )


def _model_data_without_m2m(form: Any) -> dict[str, Any]:
    m2m = {f.name for f in form._meta.model._meta.many_to_many}
    return {k: v for k, v in _model_data(form).items() if k not in m2m}


@needs("casework.change_meeting")
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("intake__person"), pk=pk
    )
    intake = meeting.intake

    def save(form: MeetingEditForm, version: int) -> None:
        fields = [f for f in form.fields if f not in ("version", "activities")]
        services.update_meeting(
            meeting=form.instance,
            version=version,
            fields=fields,
            activities=form.cleaned_data["activities"],
        )

    return _versioned_edit(
        request,
        form_class=MeetingEditForm,
        instance=meeting,
        save=save,
        success_url=_case_url(intake),
        success_message=_("Colloquio aggiornato."),
        context={
            "intake": intake,
            "title": _("Modifica colloquio con %(name)s") % {"name": intake.person},
            "back_url": _case_url(intake),
        },
    )


@needs("casework.add_referral")
def referral_add(request: HttpRequest, pk: int) -> HttpResponse:
    intake = _intake_for_write(request, pk)
    form = ReferralForm(request.POST or None, instance=Referral(intake=intake))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_referral(intake=intake, data=_model_data(form))
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, _("Invio registrato."))
            return redirect(_case_url(intake))
    return _form_page(
        request,
        {
            "form": form,
            "intake": intake,
            "title": _("Nuovo invio o candidatura per %(name)s") % {"name": intake.person},
            "back_url": _case_url(intake),
        },
    )


def _referral(request: HttpRequest, pk: int) -> Referral:
    return get_object_or_404(
        Referral.objects.visible_to(request.user).select_related("intake__person", "partner"),
        pk=pk,
    )


@needs("casework.change_referral")
def referral_edit(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    intake = referral.intake

    def save(form: ReferralEditForm, version: int) -> None:
        fields = [f for f in form.fields if f != "version"]
        services.update_referral(referral=form.instance, version=version, fields=fields)

    return _versioned_edit(
        request,
        form_class=ReferralEditForm,
        instance=referral,
        save=save,
        success_url=_case_url(intake),
        success_message=_("Invio aggiornato."),
        context={
            "intake": intake,
            "title": _("Modifica invio per %(name)s") % {"name": intake.person},
            "back_url": _case_url(intake),
        },
    )


@needs("casework.change_referral")
def referral_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    intake = referral.intake

    def save(form: ReferralOutcomeForm, version: int) -> None:
        fields = [f for f in form.fields if f != "version"]
        services.update_referral(referral=form.instance, version=version, fields=fields)

    return _versioned_edit(
        request,
        form_class=ReferralOutcomeForm,
        instance=referral,
        save=save,
        success_url=_case_url(intake),
        success_message=_("Esito registrato."),
        context={
            "intake": intake,
            "referral": referral,
            "title": _("Esito dell'invio per %(name)s") % {"name": intake.person},
            "back_url": _case_url(intake),
        },
    )


@needs("casework.change_intake")
def intake_close(request: HttpRequest, pk: int) -> HttpResponse:
    intake = _intake_for_write(request, pk)
    if not intake.is_open:
        messages.info(request, _("La presa in carico è già chiusa."))
        return redirect(_case_url(intake))

    def save(form: CloseIntakeForm, version: int) -> None:
        services.close_intake(
            intake=form.instance,
            version=version,
            closed_on=form.cleaned_data["closed_on"],
            closure_reason=form.cleaned_data["closure_reason"],
            closure_note=form.cleaned_data["closure_note"],
        )

    return _versioned_edit(
        request,
        form_class=CloseIntakeForm,
        instance=intake,
        save=save,
        success_url=_case_url(intake),
        success_message=_("Presa in carico chiusa."),
        context={
            "intake": intake,
            "title": _("Chiudi la presa in carico di %(name)s") % {"name": intake.person},
            "back_url": _case_url(intake),
        },
    )


@needs("casework.change_intake")
@require_POST
def intake_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    intake = _intake_for_write(request, pk)
    form = ReopenIntakeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Richiesta non valida: ricaricare la pagina e riprovare."))
        return redirect(_case_url(intake))
    try:
        services.reopen_intake(intake=intake, version=form.cleaned_data["version"])
    except services.ConflictError:
        messages.error(
            request,
            _(
                "Nel frattempo un'altra persona ha modificato questa presa in carico: "
                "controllare i dati aggiornati e riprovare."
            ),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Presa in carico riaperta."))
    return redirect(_case_url(intake))
