"""Developer tools: demo data, benchmarks, screenshots and the demo TOTP command.

Installed in development and tests, never in production (``ACTIVITYCR_DEVTOOLS`` in
``activitycr/settings.py``). It imports the domain apps; no domain app imports it.
"""
