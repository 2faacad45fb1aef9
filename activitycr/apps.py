from django.apps import AppConfig


class ActivityCrConfig(AppConfig):
    """The project package as an app, for its system checks (``activitycr/checks.py``)."""

    name = "activitycr"
    verbose_name = "Activity.Cr"

    def ready(self) -> None:
        from activitycr import checks  # noqa: F401, PLC0415 - registers the checks when ready
