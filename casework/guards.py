"""Database guards that a CHECK constraint cannot express, installed as triggers.

* ``casework_meeting_after_intake`` / ``casework_referral_after_intake``: a meeting or a
  referral is not dated before the intake it belongs to (two tables); the intake's own
  trigger refuses moving its date after its meetings or referrals.
* ``casework_intake_after_desk_opening``: an intake is not dated before its desk opened
  (a desk whose opening date is unknown, NULL, is not checked); the desk's own trigger
  refuses moving its opening date after its intakes.
* ``casework_intake_closed_after_last_event``: a case is not closed before its last meeting,
  referral or referral outcome; ``casework_meeting_not_after_closure`` and
  ``casework_referral_not_after_closure`` refuse adding one after the closure.
* ``casework_*_not_future``: no dates in the future. The database compares with its own
  clock plus one day of slack, so that a desk in Europe/Rome is never refused a legitimate
  "today" around midnight UTC; the forms hold the exact rule in Europe/Rome.

Both backends raise an ``IntegrityError`` whose message names the guard.
"""

from __future__ import annotations

# (trigger name, table, condition on NEW that is an error)
_GUARDS: dict[str, list[tuple[str, str]]] = {
    "casework_intake": [
        ("casework_intake_not_future", "NEW.opened_on > {today_plus_1}"),
        (
            "casework_intake_closed_not_future",
            "NEW.closed_on IS NOT NULL AND NEW.closed_on > {today_plus_1}",
        ),
        (
            "casework_intake_before_its_meetings",
            "EXISTS (SELECT 1 FROM casework_meeting m WHERE m.intake_id = NEW.id "
            "AND m.held_on < NEW.opened_on) OR EXISTS (SELECT 1 FROM casework_referral r "
            "WHERE r.intake_id = NEW.id AND r.referred_on < NEW.opened_on)",
        ),
        (
            "casework_intake_after_desk_opening",
            "NEW.opened_on < (SELECT d.opened_on FROM sportelli_desk d WHERE d.id = NEW.desk_id)",
        ),
        (
            "casework_intake_closed_after_last_event",
            "NEW.closed_on IS NOT NULL AND (EXISTS (SELECT 1 FROM casework_meeting m "
            "WHERE m.intake_id = NEW.id AND m.held_on > NEW.closed_on) OR EXISTS (SELECT 1 "
            "FROM casework_referral r WHERE r.intake_id = NEW.id AND (r.referred_on > "
            "NEW.closed_on OR r.outcome_on > NEW.closed_on)))",
        ),
    ],
    "casework_meeting": [
        ("casework_meeting_not_future", "NEW.held_on > {today_plus_1}"),
        (
            "casework_meeting_after_intake",
            "NEW.held_on < (SELECT i.opened_on FROM casework_intake i WHERE i.id = NEW.intake_id)",
        ),
        (
            "casework_meeting_not_after_closure",
            "NEW.held_on > (SELECT i.closed_on FROM casework_intake i WHERE i.id = NEW.intake_id)",
        ),
    ],
    "casework_referral": [
        ("casework_referral_not_future", "NEW.referred_on > {today_plus_1}"),
        (
            "casework_referral_outcome_not_future",
            "NEW.outcome_on IS NOT NULL AND NEW.outcome_on > {today_plus_1}",
        ),
        (
            "casework_referral_after_intake",
            "NEW.referred_on < (SELECT i.opened_on FROM casework_intake i "
            "WHERE i.id = NEW.intake_id)",
        ),
        (
            "casework_referral_not_after_closure",
            "NEW.referred_on > (SELECT i.closed_on FROM casework_intake i "
            "WHERE i.id = NEW.intake_id) OR NEW.outcome_on > (SELECT i.closed_on "
            "FROM casework_intake i WHERE i.id = NEW.intake_id)",
        ),
    ],
    "sportelli_desk": [
        (
            "casework_desk_opened_before_its_intakes",
            "NEW.opened_on IS NOT NULL AND EXISTS (SELECT 1 FROM casework_intake i "
            "WHERE i.desk_id = NEW.id AND i.opened_on < NEW.opened_on)",
        ),
    ],
}

_TODAY_PLUS_1 = {
    "postgresql": "(CURRENT_DATE + 1)",
    "sqlite": "date('now', '+1 day')",
}


def install_sql(vendor: str) -> list[str]:
    today_plus_1 = _TODAY_PLUS_1[vendor]
    statements: list[str] = []
    for table, guards in _GUARDS.items():
        if vendor == "postgresql":
            checks = "\n".join(
                f"  IF {cond.format(today_plus_1=today_plus_1)} THEN\n"
                f"    RAISE EXCEPTION 'violates guard {name}' USING ERRCODE = 'check_violation',"
                f" CONSTRAINT = '{name}';\n  END IF;"
                for name, cond in guards
            )
            statements.append(
                f"CREATE OR REPLACE FUNCTION {table}_guard() RETURNS trigger AS $$\n"
                f"BEGIN\n{checks}\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;"
            )
            statements.append(
                f"CREATE TRIGGER {table}_guard BEFORE INSERT OR UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_guard();"
            )
        elif vendor == "sqlite":
            for name, cond in guards:
                condition = cond.format(today_plus_1=today_plus_1)
                for event in ("INSERT", "UPDATE"):
                    statements.append(
                        f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table} "
                        f"FOR EACH ROW WHEN {condition} "
                        f"BEGIN SELECT RAISE(ABORT, 'violates guard {name}'); END;"
                    )
        else:  # pragma: no cover - the project supports these two backends
            raise NotImplementedError(vendor)
    return statements


def uninstall_sql(vendor: str) -> list[str]:
    statements: list[str] = []
    for table, guards in _GUARDS.items():
        if vendor == "postgresql":
            statements.append(f"DROP TRIGGER IF EXISTS {table}_guard ON {table};")
            statements.append(f"DROP FUNCTION IF EXISTS {table}_guard();")
        else:
            for name, _cond in guards:
                for event in ("insert", "update"):
                    statements.append(f"DROP TRIGGER IF EXISTS {name}_{event};")
    return statements


def install(apps, schema_editor) -> None:
    for sql in install_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def uninstall(apps, schema_editor) -> None:
    for sql in uninstall_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)
