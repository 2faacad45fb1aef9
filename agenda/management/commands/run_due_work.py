"""Run the due work once and exit: queue the reminders due now, then run the worker in
batch mode over every queue (what is queued and due, retries whose time has come).

For cron or a systemd timer, and for tests. With ``--loop SECONDS`` it keeps queueing the
due reminders every SECONDS (``make run`` starts it so, beside the worker); with
``--no-worker`` it only queues (a worker running elsewhere sends).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from activitycr.worker import run_queued_tasks
from agenda import reminders


class Command(BaseCommand):
    help = "Queue the reminders due now and run the background worker once (batch)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Only queue the due reminders; a worker running elsewhere sends them.",
        )
        parser.add_argument(
            "--loop",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep queueing the due reminders every SECONDS (with --no-worker).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            queued = reminders.enqueue_due()
            if options["verbosity"] > 0:
                self.stdout.write(f"{queued} reminder(s) queued")
            if not options["no_worker"]:
                run_queued_tasks(verbosity=options["verbosity"])
            if options["loop"] <= 0:
                return
            time.sleep(options["loop"])
