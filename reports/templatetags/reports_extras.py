"""How the review's figures look on the page: Italian number format, a dash for "none"."""

from __future__ import annotations

from django import template

from reports.tables import fmt_number

register = template.Library()


@register.filter
def figure(value: int | float | None) -> str:
    """Whole numbers as they are, means and percentages with one decimal (comma)."""
    if isinstance(value, float):
        return fmt_number(value, 1)
    return fmt_number(value)
