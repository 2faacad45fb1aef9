from django.apps import AppConfig


class ActivityCrConfig(AppConfig):
    """The project package as an app, for its system checks (``activitycr/checks.py``) and
    the Italian names of the third-party apps in the admin (``activitycr/admin_site.py``)."""

    name = "activitycr"
    verbose_name = "Activity.Cr"

    def ready(self) -> None:
        from activitycr import checks  # noqa: F401, PLC0415 - registers the checks when ready
        from activitycr.admin_site import name_third_party_apps  # noqa: PLC0415

        name_third_party_apps()
