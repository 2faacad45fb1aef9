"""The operators' pages (app ``casework``, mounted at the site root).

URL names (stable: the browser tests and the benchmark use them):

=======================  =====================================  ===========================
name                     path                                   what
=======================  =====================================  ===========================
casework:home            /                                      redirect to the user's desk
casework:desk            /sportello/<slug>/                     desk dashboard
casework:search          /sportello/<slug>/cerca/               people search (POST ``q``)
casework:overdue         /sportello/<slug>/follow-up-in-ritardo/  all overdue follow-ups
                                                                (``?pagina=``)
casework:intake_new      /sportello/<slug>/nuova-presa-in-carico/  new intake (``?persona=<id>``
                                                                for a known person)
casework:cf_decode       /codice-fiscale/decodifica/            JSON, POST ``fiscal_code``
                                                                (and ``gender``)
casework:person          /persona/<id>/                         the case page (timeline)
casework:person_edit     /persona/<id>/modifica/                edit the person (versioned)
casework:intake          /presa-in-carico/<id>/                 redirect to the case page
followup:intake_close    /presa-in-carico/<id>/chiudi/          close with a reason and the
                                                                situation at exit (followup)
casework:intake_reopen   /presa-in-carico/<id>/riapri/          POST ``version``
casework:intake_edit     /presa-in-carico/<id>/modifica/        correct the intake (versioned)
followup:intake_closure_edit  /presa-in-carico/<id>/chiusura/   correct a closure (versioned;
                                                                followup)
casework:meeting_add     /presa-in-carico/<id>/colloquio/       new meeting
casework:meeting_edit    /colloquio/<id>/modifica/              edit a meeting (versioned)
casework:referral_add    /presa-in-carico/<id>/invio/           new referral or candidacy
casework:referral_edit   /invio/<id>/modifica/                  edit a referral (versioned)
casework:referral_outcome  /invio/<id>/esito/                   record or edit the outcome
                                                                (versioned)
sportelli:comune_autocomplete  /territorio/comuni/?q=           JSON list of comuni
home (no namespace)      /                                      same as casework:home
after_login              /account/ingresso/                     LOGIN_REDIRECT_URL: admin,
                                                                review or desk, by role
=======================  =====================================  ===========================

Form field names (the ``name`` of the inputs):

* login (``/account/login/``): ``username``, ``password``.
* search: ``q``.
* new intake, person part: ``fiscal_code``, ``last_name``, ``first_name``, ``birth_date``
  (``YYYY-MM-DD``, a date input), ``gender`` (F, M, X, N), ``birthplace_comune`` and
  ``residence_comune`` (text "Casalmaggiore (CR)"), ``birthplace_country``,
  ``residence_country``, ``citizenship``, ``education``, ``email``, ``phone``,
  ``privacy_ack_on``; only with ``casework.view_special_category`` also
  ``foreign_background``, ``is_homeless``, ``has_disability``, ``is_minority``; intake
  part: ``opened_on``, ``channel``, ``main_need``, ``needs``, ``labour_status``,
  ``unemployment_months``, ``recent_graduate``, ``returning_after_care``;
  ``confirm_new_person`` (checkbox shown for likely duplicates); ``known_cf`` (hidden, a
  person known at another desk). Submit button: ``#intake-submit``.
* meeting: ``held_on``, ``start_time``, ``mode`` (radio: presenza, telefono, video, email),
  ``duration_minutes``, ``attended``, ``activities`` (checkboxes), ``notes``,
  ``next_appointment_at`` (datetime-local); edits also ``version`` (hidden).
* referral: ``kind``, ``partner`` (select, by partner id), ``description``, ``referred_on``,
  ``outcome``, ``outcome_on``, ``notes``; outcome page: ``outcome``, ``outcome_on``,
  ``notes``, ``version``.
* close, and closure correction (``followup``): ``closed_on``, ``closure_reason``,
  ``closure_note``, ``exit_results`` (checkboxes: ricerca, formazione, qualifica, occupato,
  nessuna), ``exit_source`` (dichiarazione, partner, co), ``exit_as_of``, ``version``.
* intake correction: the intake part above, ``residence_comune`` (residence at intake),
  ``version``.
* Every form page's submit button has the id ``form-submit``.
"""

from django.urls import path

from casework.views import case, desk, intake

app_name = "casework"

urlpatterns = [
    path("", desk.home, name="home"),
    path("sportello/<slug:slug>/", desk.desk_dashboard, name="desk"),
    path("sportello/<slug:slug>/cerca/", desk.search, name="search"),
    path("sportello/<slug:slug>/follow-up-in-ritardo/", desk.overdue, name="overdue"),
    path("sportello/<slug:slug>/nuova-presa-in-carico/", intake.intake_new, name="intake_new"),
    path("codice-fiscale/decodifica/", intake.cf_decode, name="cf_decode"),
    path("persona/<int:pk>/", case.person_detail, name="person"),
    path("persona/<int:pk>/modifica/", case.person_edit, name="person_edit"),
    path("presa-in-carico/<int:pk>/", case.intake_detail, name="intake"),
    path("presa-in-carico/<int:pk>/riapri/", case.intake_reopen, name="intake_reopen"),
    path("presa-in-carico/<int:pk>/modifica/", case.intake_edit, name="intake_edit"),
    path("presa-in-carico/<int:pk>/colloquio/", case.meeting_add, name="meeting_add"),
    path("colloquio/<int:pk>/modifica/", case.meeting_edit, name="meeting_edit"),
    path("presa-in-carico/<int:pk>/invio/", case.referral_add, name="referral_add"),
    path("invio/<int:pk>/modifica/", case.referral_edit, name="referral_edit"),
    path("invio/<int:pk>/esito/", case.referral_outcome, name="referral_outcome"),
]
