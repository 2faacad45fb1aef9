"""The article's quarter is what its docstring says (the other tests rely on it)."""

from __future__ import annotations

from casework.models import Intake, Meeting, Person, Referral


def test_article_quarter_composition(article_quarter):
    q = article_quarter
    in_period = Intake.objects.in_period(q.start, q.end)
    assert in_period.values("person").distinct().count() == 72
    assert in_period.count() == 73
    assert Person.objects.count() == 73  # the 72 and Z, before the period
    held = Meeting.objects.in_period(q.start, q.end)
    assert held.count() == 150
    assert held.filter(attended=True).count() == 145
    assert held.filter(attended=True, intake__in=in_period).count() == 144
    assert Referral.objects.filter(referred_on__range=(q.start, q.end)).count() == 25
    c9 = q.intakes["C9"][0]
    assert (c9.age_at_intake, c9.age_band) == (35, "18-35")
