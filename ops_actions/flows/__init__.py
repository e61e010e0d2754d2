"""Flows: the use-cases, each combining the pure core with the adapters it is handed.

``incidents`` finds, opens, updates and resolves incidents idempotently; ``remediation``
dispatches and follows Backend Deploy / Rollback / Live Smoke and guards the deploy freeze;
``postmortems`` files postmortems and syncs their action items; ``triage`` probes the backend and
keeps the report and the snapshot, then hands the result to ``watch``, which reconciles a triage with
the open incidents; ``incident_operations`` holds what people run on an incident, from the CLI or
a comment; ``slash_commands`` runs the commands of one issue comment. Flows receive their
tracker, clock and notifier by keyword (the CLI builds the real ones) and see the tracker through
the protocols of ``tracker_protocols``, all in that one module; they may import the core,
``triage`` and ``adapters``' types, never the CLI or ``sandbox``.
"""
