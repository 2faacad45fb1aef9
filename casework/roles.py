"""The three roles, as Django groups created by migration (``casework/migrations/0004``).

A role is a group holding permissions; views check permissions, never group names.
Desk scope is separate: an operator sees the desks they are assigned to
(``Desk.operators``), a holder of ``casework.view_all_desks`` sees every desk.
"""

from __future__ import annotations

OPERATOR = "Operatore di sportello"
PLANNING_OFFICE = "Ufficio di Piano"
ADMINISTRATOR = "Amministratore"

_CASE_MODELS = ("person", "intake", "meeting", "referral")

ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    OPERATOR: [
        *(
            ("casework", f"{action}_{model}")
            for model in _CASE_MODELS
            for action in ("view", "add", "change")
        ),
        ("casework", "view_partner"),
        ("casework", "view_activity"),
        ("sportelli", "view_desk"),
        ("sportelli", "view_comune"),
    ],
    PLANNING_OFFICE: [
        *(("casework", f"view_{model}") for model in (*_CASE_MODELS, "partner", "activity")),
        ("casework", "view_all_desks"),
        ("casework", "view_reports"),
        ("sportelli", "view_desk"),
        ("sportelli", "view_comune"),
    ],
    ADMINISTRATOR: [
        *(
            (app, f"{action}_{model}")
            for app, models in (
                ("casework", (*_CASE_MODELS, "partner", "activity")),
                ("sportelli", ("desk", "comune", "country")),
                ("auth", ("user", "group")),
            )
            for model in models
            for action in ("view", "add", "change", "delete")
        ),
        ("casework", "view_all_desks"),
        ("casework", "view_reports"),
        ("casework", "view_special_category"),
        # The report of cross-desk take-ins: granted by casework/migrations/0008 (the
        # model is newer than the migration that creates the roles from this table).
    ],
}
