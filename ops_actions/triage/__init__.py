"""Triage: probe the backend, read signals, decide severity and branches, keep the history.

``probes`` is the only I/O (httpx, all probes at once); ``engine`` turns probe results into the
report (pure), asking ``gates`` which gated probes (a write canary) run this time; ``history`` is
the watch history, the local snapshot file that carries trends
between runs with no open incident; ``report_file`` writes the report's JSON file and reads one
back, checked against ``triage-report.schema.json``. The report's data types live in
:mod:`ops_actions.incident.triage_report` so the core can render reports without importing the
engine. Modules here may import the playbook, the incident core and :mod:`ops_actions.text`; never
``adapters``, ``flows``, ``sandbox`` or the CLI.
"""
