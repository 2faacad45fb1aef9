"""The admin's list filters: the quarter of a date, the desks the user may see."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from activitycr.ids import parse_id
from casework.admin.scoping import ScopedAdmin
from casework.models import (
    Intake,
)
from sportelli.models import Desk

if TYPE_CHECKING:
    # What the mixins below are put in front of (at run time they are plain classes).
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object

_M = TypeVar("_M", bound=models.Model)


# --- Filters -------------------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end - dt.timedelta(days=1)


class QuarterFilter(admin.SimpleListFilter):
    """Calendar quarters that hold data (one query), newest first."""

    title = _("trimestre")
    parameter_name = "trimestre"
    date_field = ""

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        base = (
            model_admin.scoped_base(request)
            if isinstance(model_admin, ScopedAdmin)
            else model_admin.get_queryset(request)
        )
        months = base.dates(self.date_field, "month", order="DESC")
        quarters = dict.fromkeys((m.year, (m.month - 1) // 3 + 1) for m in months)
        return [
            (
                f"{year}-{quarter}",
                gettext("%(q)d° trimestre %(year)d") % {"q": quarter, "year": year},
            )
            for year, quarter in quarters
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        try:
            year, quarter = (int(part) for part in value.split("-"))
            start, end = quarter_bounds(year, quarter)
        except ValueError:
            return queryset.none()
        return queryset.filter(**{f"{self.date_field}__gte": start, f"{self.date_field}__lte": end})

    @classmethod
    def on(cls, date_field: str) -> type[QuarterFilter]:
        return type(f"QuarterFilter_{date_field}", (cls,), {"date_field": date_field})


class DeskFilter(admin.SimpleListFilter):
    """The desks the user may see (no query per row; one query for the list of desks)."""

    title = _("sportello")
    parameter_name = "sportello"
    desk_path = "desk"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [
            (str(pk), name)
            for pk, name in Desk.objects.visible_to(request.user).values_list("pk", "name")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        desk_id = parse_id(value)
        if desk_id is None:  # "²", a 30-digit number...: no desk has that id
            return queryset.none()
        if self.desk_path == "intakes__desk":  # people: no duplicate rows
            return queryset.filter(
                pk__in=Intake.objects.filter(desk_id=desk_id).values("person_id")
            )
        return queryset.filter(**{f"{self.desk_path}_id": desk_id})

    @classmethod
    def on(cls, desk_path: str) -> type[DeskFilter]:
        return type(f"DeskFilter_{desk_path}", (cls,), {"desk_path": desk_path})
