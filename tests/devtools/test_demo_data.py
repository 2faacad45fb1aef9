"""The demo-data command: sizes, reproducibility, valid codici fiscali, realistic shares,
no future dates, the demo logins, --if-empty, --flush, and refusal in production."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Max, Min
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework import fiscal_code, roles
from casework.choices import AckChannel, CrossDeskReason, Gender, age_on
from casework.models import (
    CrossDeskTakeIn,
    Intake,
    Meeting,
    Person,
    PrivacyAcknowledgement,
    PrivacyNotice,
    Referral,
)
from devtools import demo
from devtools.demo.generator import Generator
from sportelli.models import Desk, Origin, origin_for

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_2000():
    run("--meetings", "2000", "--seed", "11")


def test_the_requested_number_of_meetings_with_about_two_per_person():
    run("--meetings", "500")
    people, intakes = Person.objects.count(), Intake.objects.count()
    assert Meeting.objects.count() == 500
    assert 500 / 2.5 < people < 500 / 1.6
    assert people <= intakes < people * 1.15
    assert 0.4 < Referral.objects.count() / intakes < 0.9


def test_generation_runs_a_fixed_number_of_queries_whatever_the_size():
    with CaptureQueriesContext(connection) as small:
        demo.generate(meetings=200, seed=1)
    with CaptureQueriesContext(connection) as large:
        demo.generate(meetings=3000, seed=2)
    assert Meeting.objects.count() == 3200
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_same_seed_gives_the_same_people_and_another_seed_does_not():
    def snapshot() -> tuple[set[str], list[tuple]]:
        codes = set(Person.objects.exclude(fiscal_code=None).values_list("fiscal_code", flat=True))
        rows = list(
            Meeting.objects.order_by("id").values_list(
                "intake__person__last_name", "held_on", "mode", "attended"
            )
        )
        return codes, rows

    run("--meetings", "300", "--seed", "5")
    first = snapshot()
    run("--meetings", "300", "--seed", "5", "--flush")
    assert snapshot() == first
    run("--meetings", "300", "--seed", "6", "--flush")
    assert snapshot()[0] != first[0]


def test_every_codice_fiscale_is_valid_and_agrees_with_the_person(demo_2000):
    people = list(Person.objects.select_related("birthplace_comune", "birthplace_country"))
    with_cf = [p for p in people if p.fiscal_code]
    assert 0.01 < 1 - len(with_cf) / len(people) < 0.10  # some recent arrivals have none
    for person in with_cf:
        data = fiscal_code.decode(person.fiscal_code)
        assert data.birth_date == person.birth_date
        if person.gender in (Gender.WOMAN, Gender.MAN):
            assert data.sex == person.gender
        place = person.birthplace_comune or person.birthplace_country
        assert data.birthplace_code == place.code
    born_abroad = [p for p in with_cf if p.birthplace_country_id]
    assert born_abroad and all(p.fiscal_code[11] == "Z" for p in born_abroad)
    assert not [p for p in people if not p.fiscal_code and p.citizenship != "EXTRA_UE"]


def test_a_second_run_without_flush_adds_data_and_resolves_equal_codes_by_omocodia():
    run("--meetings", "400", "--seed", "9")
    run("--meetings", "400", "--seed", "9")  # the same people again: same names and dates
    assert Meeting.objects.count() == 800
    codes = list(Person.objects.exclude(fiscal_code=None).values_list("fiscal_code", flat=True))
    assert len(codes) == len(set(codes))
    omocodes = [c for c in codes if not c[6:8].isdigit() or not c[12:15].isdigit()]
    assert omocodes
    for code in omocodes:
        fiscal_code.decode(code)


def test_omocodia_gives_127_valid_variants_then_no_code():
    generator = Generator(seed=1, today=timezone.localdate(), limit=yesterday())
    args = ("Rossi", "Giulia", dt.date(1995, 3, 14), "F", "B898")
    codes = [generator._fiscal_code(*args) for _n in range(128)]
    assert codes[0] == fiscal_code.encode(
        last_name="Rossi",
        first_name="Giulia",
        birth_date=dt.date(1995, 3, 14),
        sex="F",
        place_code="B898",
    )
    assert len(set(codes)) == 128  # the plain code and its 127 omocodes
    for code in codes[1:]:
        assert fiscal_code.decode(code).birth_date == dt.date(1995, 3, 14)
    assert generator._fiscal_code(*args) is None


def test_every_row_passes_the_models_own_validation():
    run("--meetings", "100", "--seed", "3")
    for model in (Person, Intake, Meeting, Referral):
        for obj in model.objects.all():
            obj.full_clean()


def test_the_intake_snapshot_is_what_the_model_computes(demo_2000):
    for intake in Intake.objects.select_related("person__residence_comune"):
        person = intake.person
        assert intake.age_at_intake == age_on(person.birth_date, intake.opened_on)
        assert intake.origin == origin_for(person.residence_comune)
        assert intake.gender == person.gender
        assert intake.residence_comune_id == person.residence_comune_id
        assert intake.isced_band == person.isced_band
        assert person.search_key == person.build_search_key()


def test_nothing_is_dated_in_the_future_or_before_its_intake_or_desk(demo_2000):
    limit = yesterday()
    intakes = Intake.objects.aggregate(Max("opened_on"), Max("closed_on"))
    meetings = Meeting.objects.aggregate(Max("held_on"))
    referrals = Referral.objects.aggregate(Max("referred_on"), Max("outcome_on"))
    for value in (*intakes.values(), *meetings.values(), *referrals.values()):
        assert value <= limit
    assert not Meeting.objects.filter(held_on__lt=F("intake__opened_on")).exists()
    assert not Referral.objects.filter(referred_on__lt=F("intake__opened_on")).exists()
    for desk in Desk.objects.all():
        first = Intake.objects.filter(desk=desk).aggregate(first=Min("opened_on"))["first"]
        assert first >= (desk.opened_on or demo.ASSUMED_OPENING)


def test_the_shares_look_like_the_desks(demo_2000):
    intakes = Intake.objects.all()
    n = intakes.count()
    origins = Counter(intakes.values_list("origin", flat=True))
    assert origins[Origin.CASALASCO] / n > 0.7
    assert origins[Origin.CREMONA] and origins[Origin.MANTOVA]
    bands = Counter(intakes.values_list("age_band", flat=True))
    assert bands["18-35"] / n > 0.5
    assert (bands["45-54"] + bands["55+"]) / n > 0.15
    genders = Counter(Person.objects.values_list("gender", flat=True))
    assert genders[Gender.WOMAN] and genders[Gender.MAN]
    assert genders[Gender.NON_BINARY] + genders[Gender.NOT_STATED] > 0
    modes = Counter(Meeting.objects.values_list("mode", flat=True))
    remote = 1 - modes["presenza"] / sum(modes.values())
    assert 0.2 < remote < 0.6
    assert Meeting.objects.filter(attended=False).exists()
    assert Meeting.objects.filter(next_appointment_at__gt=timezone.now()).exists()
    assert Intake.objects.filter(status="chiusa").exclude(closure_reason="").exists()
    assert Referral.objects.exclude(outcome="in_corso").filter(outcome_on__isnull=False).exists()
    partners = set(Referral.objects.values_list("partner__name", flat=True))
    assert {"Mestieri Lombardia", "Energheia Impresa Sociale", "SIL Con.Ca.S.S."} <= partners
    at_two_desks = Intake.objects.values("person").annotate(n=Count("desk", distinct=True))
    assert at_two_desks.filter(n=2).exists()
    assert Meeting.activities.through.objects.count() > Meeting.objects.count()


def test_the_default_size_gives_the_article_s_first_quarter():
    run()  # 300 meetings
    quarter = Intake.objects.in_period(dt.date(2021, 1, 28), dt.date(2021, 4, 30))
    people = quarter.values("person").distinct().count()
    assert 60 <= people <= 85
    meetings = Meeting.objects.filter(intake__in=quarter).count()
    assert 1.6 <= meetings / people <= 2.4
    assert Intake.objects.aggregate(first=Min("opened_on"))["first"] >= dt.date(2021, 1, 28)
    assert not Intake.objects.filter(desk__slug="gussola", opened_on__lt=dt.date(2021, 4, 1))


def test_a_large_size_spreads_up_to_yesterday():
    start = yesterday() - dt.timedelta(days=120)
    demo.generate(meetings=3000, seed=4, start=start)
    last = Intake.objects.aggregate(last=Max("opened_on"))["last"]
    assert yesterday() - dt.timedelta(days=6) <= last <= yesterday()
    assert Intake.objects.aggregate(first=Min("opened_on"))["first"] >= start


def test_an_explicit_period_is_respected():
    run("--meetings", "300", "--start", "2022-01-01", "--end", "2022-06-30")
    dates = Intake.objects.aggregate(Min("opened_on"), Max("opened_on"), Max("closed_on"))
    assert dates["opened_on__min"] >= dt.date(2022, 1, 1)
    assert dates["opened_on__max"] <= dt.date(2022, 6, 30)
    assert Meeting.objects.aggregate(last=Max("held_on"))["last"] <= dt.date(2022, 6, 30)


def test_a_future_end_or_a_bad_date_is_refused_in_italian():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(CommandError, match="futuro"):
        run("--end", tomorrow.isoformat())
    with pytest.raises(CommandError, match="AAAA-MM-GG"):
        run("--start", "31/01/2021")
    assert not Person.objects.exists()


def test_the_demo_logins_exist_with_their_roles_and_desks_and_are_printed():
    output = run("--meetings", "0")
    assert demo.DEMO_PASSWORD in output
    for login in demo.DEMO_LOGINS:
        assert login.username in output
        user = User.objects.get(username=login.username)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert list(user.groups.values_list("name", flat=True)) == [login.role]
        assert set(user.desks.values_list("slug", flat=True)) == set(login.desks)
    multi = User.objects.get(username="op.multi")
    assert set(Desk.objects.visible_to(multi).values_list("slug", flat=True)) == {
        "piadena-drizzona",
        "san-giovanni-in-croce",
    }
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    udp = User.objects.get(username="udp")
    assert udp.has_perm("casework.view_all_desks") and not udp.is_staff
    operator = User.objects.get(username="op.gussola")
    assert operator.groups.filter(name=roles.OPERATOR).exists()
    assert not operator.has_perm("casework.view_all_desks")


def test_operators_see_the_demo_cases_of_their_own_desks(demo_2000):
    operator = User.objects.get(username="op.gussola")
    visible = Intake.objects.visible_to(operator)
    assert visible.exists()
    assert set(visible.values_list("desk__slug", flat=True)) == {"gussola"}
    assert Intake.objects.filter(desk__slug="gussola", operator=operator).exists()


def test_if_empty_does_nothing_the_second_time_but_still_prints_the_logins():
    run("--meetings", "200", "--if-empty")
    counts = (Person.objects.count(), Meeting.objects.count())
    user = User.objects.get(username="op.casalmaggiore")
    user.set_password("changed-by-the-operator")
    user.save()
    output = run("--meetings", "200", "--if-empty")
    assert (Person.objects.count(), Meeting.objects.count()) == counts
    assert "op.casalmaggiore" in output and demo.DEMO_PASSWORD in output
    assert User.objects.filter(username__startswith="op.").count() == 5
    user.refresh_from_db()
    assert user.check_password("changed-by-the-operator")  # an existing login is kept


def test_flush_replaces_the_cases_and_keeps_reference_data():
    run("--meetings", "300")
    desks = Desk.objects.count()
    run("--meetings", "100", "--flush")
    assert Meeting.objects.count() == 100
    assert not Person.objects.exclude(intakes__isnull=False).exists()
    assert Desk.objects.count() == desks
    assert User.objects.filter(username="udp").exists()


def test_flush_also_removes_what_other_apps_hang_on_the_people():
    run("--meetings", "100")
    notice = PrivacyNotice.objects.first()
    PrivacyAcknowledgement.objects.create(
        person=Person.objects.first(),
        notice=notice,
        acknowledged_on=dt.date(2021, 3, 1),
        channel=AckChannel.values[0],
    )
    # A take-in at another desk (security review M6) hangs on an intake and has its own
    # many-to-many rows: PostgreSQL's TRUNCATE must take those along.
    cross = CrossDeskTakeIn.objects.create(
        intake=Intake.objects.first(), reason=CrossDeskReason.MOVED
    )
    cross.other_desks.set(Desk.objects.all()[:2])
    run("--meetings", "50", "--flush")
    assert not PrivacyAcknowledgement.objects.exists()
    assert not CrossDeskTakeIn.objects.exists()
    assert not CrossDeskTakeIn.other_desks.through.objects.exists()
    assert PrivacyNotice.objects.filter(pk=notice.pk).exists()
    assert Meeting.objects.count() == 50


def test_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="produzione"):
        run("--meetings", "50")
    assert not User.objects.filter(username="admin").exists()
    assert not Person.objects.exists()


def test_without_a_size_every_quarter_to_yesterday_is_full_at_the_articles_density():
    """Issue 11, item 10: ``make run`` (no --meetings) fills every quarter from the first
    opening to yesterday, so the newcomer's first review — the last completed quarter — is
    full. Here "today" is 15/01/2022: four full quarters and a half."""
    today = dt.date(2022, 1, 15)
    result = demo.generate(meetings=None, seed=3, today=today)
    assert result.start == dt.date(2021, 1, 28)
    assert result.end == dt.date(2022, 1, 14)
    per_quarter = Counter(
        (day.year, (day.month - 1) // 3 + 1)
        for day in Intake.objects.values_list("opened_on", flat=True)
    )
    # The article: 72 people from 28/01 to 30/04/2021 at one to four desks; once the four
    # desks are open a quarter holds more.
    assert 30 <= per_quarter[(2021, 1)] <= 60
    for quarter in ((2021, 2), (2021, 3), (2021, 4)):
        assert 60 <= per_quarter[quarter] <= 110, (quarter, per_quarter)
    assert per_quarter[(2022, 1)] > 0
    meetings = Meeting.objects.filter(
        held_on__gte=dt.date(2021, 10, 1), held_on__lte=dt.date(2021, 12, 31)
    )
    assert 1.5 * per_quarter[(2021, 4)] <= meetings.count() <= 2.5 * per_quarter[(2021, 4)]
    assert not Intake.objects.filter(opened_on__gte=today).exists()
