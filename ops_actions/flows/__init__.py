"""Flows: the use-cases, each combining the pure core with the adapters it is handed.

``incidents`` finds, opens, updates and resolves incidents idempotently; ``remediation``
dispatches and follows Backend Deploy / Rollback / Live Smoke and guards the deploy freeze;
``postmortems`` files postmortems and syncs their action items; ``triage`` probes the backend and
keeps the report and the snapshot, then hands the result to ``watch``, which reconciles a triage with
the open incidents; ``slash_commands`` runs the commands of one issue comment. Flows receive their
tracker, clock and notifier by keyword (the CLI builds the real ones); they may import the core,
``triage`` and ``adapters``' types, never the CLI or ``sandbox``.
"""
