"""Django admin for the case records and the reference lists.

* Case lists (people, intakes, meetings, referrals) start from the scoped QuerySet methods
  (``visible_to``): an administrator sees every desk, anyone else only their own.
* Change lists run a fixed number of queries whatever the number of rows: related objects
  are joined (``list_select_related``), counts are annotated, foreign keys to large tables
  use autocomplete so a form never loads the 7,900 comuni into a select.
* People, intakes and meetings import and export through ``casework/resources.py`` (xlsx,
  csv): the preview lists every bad row, and a file with any bad row writes nothing.
* The apps above casework add to these admins with :func:`extend_admin`: ``audit`` names
  objects by id in Django's admin log and records every export (``audit/admin.py``),
  ``privacy`` adds the data-request actions to the people's admin (``privacy/admin.py``).
"""

from casework.admin import cases, reference  # noqa: F401 - registers the admins
from casework.admin.cases import IntakeAdminForm
from casework.admin.filters import DeskFilter, QuarterFilter, quarter_bounds
from casework.admin.scoping import (
    CaseImportExportAdmin,
    SafeInitialMixin,
    ScopedAdmin,
    SearchByPostMixin,
    VersionedAdminForm,
    check_references,
    extend_admin,
    scoped_choices,
    visible,
)

__all__ = [
    "CaseImportExportAdmin",
    "DeskFilter",
    "IntakeAdminForm",
    "QuarterFilter",
    "SafeInitialMixin",
    "ScopedAdmin",
    "SearchByPostMixin",
    "VersionedAdminForm",
    "check_references",
    "extend_admin",
    "quarter_bounds",
    "scoped_choices",
    "visible",
]
