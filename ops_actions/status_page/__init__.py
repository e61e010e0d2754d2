"""The public status page, pure: what customers may see of the incidents, and the site built from it.

``public`` is the public view of one incident (its public facts, the updates the playbook makes
public, the postmortem's summary for customers), and nothing else reaches the page; ``model`` turns
those views into the page's model (each component's level now, the open incidents, a 90-day
history); ``status_json`` is ``status.json``, the page's facts for machines, and loads its JSON
Schema ``status.schema.json``, which lies beside it; ``site`` renders the model as files: HTML
pages, an Atom feed, the JSON and the static files of
``ops_actions/templates/status_page/``; ``statuspage_api`` is the same page in the shapes of
Atlassian Statuspage's public API (``api/v2/*.json``, their schemas in ``statuspage_schemas/``),
and ``statuspage_webhooks`` the payloads its webhooks send subscribers of a change. Reading the
incidents from the tracker and writing the site is the use case in
:mod:`ops_actions.flows.status_page`.

This package sits on the floor of ``triage`` and ``adapters``: it may import the incident core,
:mod:`ops_actions.playbook`, :mod:`ops_actions.text` and :mod:`ops_actions.errors`; never
``triage``, ``adapters``, ``flows``, ``sandbox`` or the CLI, and no network (httpx), PyGithub or
Click. ``flows`` and the CLI import it.
"""
