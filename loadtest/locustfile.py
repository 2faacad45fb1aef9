"""Load test: N desk operators doing what they do all day (docs/benchmarks.md, "Load test").

Each simulated operator logs in with their own account (``loadop<N>``, created by
``loadtest/run.sh``), then, with 0.5–2 s of thinking between actions:

* opens their desk's dashboard (weight 3),
* searches people by surname prefix — a POST, as in the app (weight 4),
* opens the case page of a person found (weight 3),
* takes in a new person: the full intake form, with a valid codice fiscale (weight 1),
* records a follow-up meeting on one of the cases it opened (weight 2).

A response that is not what a browser would accept (a form answered with errors, a login
page) is counted as a failure, so "0 errors" means every action really succeeded.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import string
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "activitycr.settings")
from casework.fiscal_code import Sex, encode

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "carico-Activity-2021")
DESKS = ["casalmaggiore", "gussola", "piadena-drizzona", "san-giovanni-in-croce"]
SURNAME_PREFIXES = ["Ro", "Bi", "Fe", "Bo", "Su", "Za", "Gh", "Ma", "Ri", "Co", "Ga", "Pe"]
_numbers = itertools.count(1)
PERSON_LINK = re.compile(r'href="/persona/(\d+)/')
INTAKE_IN_LOCATION = re.compile(r"#presa-(\d+)")


# Every request's time, for a summary of the operators' actions without the logins (one
# per session, dominated by PBKDF2's 1,000,000 iterations), written to LOADTEST_SUMMARY.
_times: dict[str, list[float]] = {"actions": [], "login": []}
_failures: dict[str, int] = {"actions": 0, "login": 0}
_clock: dict[str, float] = {}


# The actions are measured in the steady state: from the moment every operator has logged
# in (LOADTEST_USERS of them), so the login storm of the start does not count twice.
_logged_in = {"count": 0}


def _steady() -> bool:
    return _logged_in["count"] >= int(os.environ.get("LOADTEST_USERS", "0"))


@events.request.add_listener
def _record(name: str, response_time: float, exception: Exception | None, **kwargs) -> None:
    kind = "login" if name.startswith("login") else "actions"
    if kind == "actions" and not _steady():
        return
    if kind == "actions" and "steady" not in _clock:
        _clock["steady"] = time.monotonic()
    _times[kind].append(response_time)
    if exception is not None:
        _failures[kind] += 1


@events.test_start.add_listener
def _start(**kwargs) -> None:
    _clock["start"] = time.monotonic()


@events.test_stop.add_listener
def _summary(**kwargs) -> None:
    now = time.monotonic()
    windows = {
        "login": now - _clock.get("start", now),
        "actions": now - _clock.get("steady", now),
    }
    out = {}
    for kind, times in _times.items():
        elapsed = windows[kind]
        ordered = sorted(times)

        def pct(q: float, ordered: list[float] = ordered) -> float:
            return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

        out[kind] = {
            "requests": len(ordered),
            "per_second": len(ordered) / elapsed if elapsed else 0.0,
            "window_s": round(elapsed, 1),
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "max_ms": ordered[-1] if ordered else 0.0,
            "errors": _failures[kind],
        }
    target = os.environ.get("LOADTEST_SUMMARY")
    if target:
        Path(target).write_text(json.dumps(out, indent=2))


def _csrf(user: HttpUser) -> str:
    return user.client.cookies.get("csrftoken", "")


class Operator(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        n = next(_numbers)
        count = int(os.environ.get("LOADTEST_OPERATORS", "50"))
        self.username = f"loadop{(n - 1) % count + 1}"
        self.desk = DESKS[(n - 1) % count % len(DESKS)]
        self.people: list[str] = []
        self.intakes: list[str] = []
        self.client.get("/account/login/", name="login page")
        with self.client.post(
            "/account/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(self)},
            headers={"Referer": f"{self.host}/account/login/"},
            allow_redirects=False,
            name="login",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused ({response.status_code})")
            else:
                _logged_in["count"] += 1

    def _post(self, url: str, data: dict, *, name: str):
        data = {**data, "csrfmiddlewaretoken": _csrf(self)}
        return self.client.post(
            url,
            data,
            headers={"Referer": f"{self.host}{url}"},
            allow_redirects=False,
            name=name,
            catch_response=True,
        )

    @task(3)
    def dashboard(self) -> None:
        with self.client.get(
            f"/sportello/{self.desk}/", name="dashboard", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"dashboard {response.status_code}")
                return
            self.intakes += re.findall(r"/presa-in-carico/(\d+)/colloquio/", response.text)[:5]
            self.intakes = self.intakes[-20:]

    @task(4)
    def search(self) -> None:
        url = f"/sportello/{self.desk}/cerca/"
        with self._post(
            url, {"q": random.choice(SURNAME_PREFIXES)}, name="search (POST)"
        ) as response:
            if response.status_code != 200:
                response.failure(f"search {response.status_code}")
                return
            found = PERSON_LINK.findall(response.text)
            if found:
                self.people = list(dict.fromkeys(found))[:20]

    @task(3)
    def case_page(self) -> None:
        if not self.people:
            return self.search()
        person = random.choice(self.people)
        with self.client.get(
            f"/persona/{person}/", name="case page", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"case page {response.status_code}")
                return
            self.intakes += re.findall(r"/presa-in-carico/(\d+)/colloquio/", response.text)[:3]
            self.intakes = self.intakes[-20:]

    @task(1)
    def new_intake(self) -> None:
        url = f"/sportello/{self.desk}/nuova-presa-in-carico/"
        self.client.get(url, name="intake form")
        letters = "".join(random.choices(string.ascii_uppercase, k=6))
        last_name, first_name = f"Carico{letters}", random.choice(["Giulia", "Marco", "Sara"])
        sex: Sex = "M" if first_name == "Marco" else "F"
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=random.randint(0, 365 * 35))
        cf = encode(
            last_name=last_name, first_name=first_name, birth_date=birth, sex=sex,
            place_code="B898",
        )  # fmt: skip
        today = dt.datetime.now(ZoneInfo("Europe/Rome")).date().isoformat()
        data = {
            "fiscal_code": cf,
            "last_name": last_name,
            "first_name": first_name,
            "birth_date": birth.isoformat(),
            "gender": sex,
            "residence_comune": "Casalmaggiore (CR)",
            "citizenship": "IT",
            "education": "diploma",
            "privacy_ack_on": today,
            "opened_on": today,
            "channel": "spontaneo",
            "main_need": "ricerca_attiva",
            "labour_status": "disoccupato",
            "unemployment_months": "4",
        }
        with self._post(url, data, name="new intake (POST)") as response:
            match = INTAKE_IN_LOCATION.search(response.headers.get("Location", ""))
            if response.status_code != 302 or not match:
                response.failure(f"intake not saved ({response.status_code})")
                return
            self.intakes.append(match.group(1))

    @task(2)
    def meeting(self) -> None:
        if not self.intakes:
            return self.dashboard()
        intake = random.choice(self.intakes)
        url = f"/presa-in-carico/{intake}/colloquio/"
        data = {
            "held_on": dt.datetime.now(ZoneInfo("Europe/Rome")).date().isoformat(),
            "start_time": "10:30",
            "mode": random.choice(["presenza", "telefono", "video", "email"]),
            "duration_minutes": "45",
            "attended": "on",
            "notes": "Colloquio di approfondimento (carico)",
        }
        with self._post(url, data, name="new meeting (POST)") as response:
            if response.status_code == 404:  # a case of another desk seen in a search
                response.success()
                self.intakes.remove(intake)
            elif response.status_code != 302:
                response.failure(f"meeting not saved ({response.status_code})")
