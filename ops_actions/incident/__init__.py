"""The pure core: what an incident is and how it changes, with no I/O.

``state`` holds the incident's state and its field checks; ``transitions`` how commands change it;
``state_block`` the hidden state block in the issue body (event deltas, replay, rebuilding);
``labels`` the issue's labels and title; ``timeline`` the timeline events and rows; ``snapshots``,
``watch_news`` and ``remediation_state`` what the watch and remediation add; ``clock`` times and
durations; ``resolution_gate`` what is missing before resolving, and the checklist; ``issue_body``
writes the issue body; ``triage_text`` the triage's terminal text and Markdown; ``postmortem`` the
postmortem body and its action items; ``figures`` the report's numbers; ``alerts`` reads monitors'
payloads; ``slash_registry`` holds the slash commands and ``slash_grammar`` parses them;
``triage_report`` holds the triage report's data types. Modules here import only the standard
library, :mod:`ops_actions.text`, :mod:`ops_actions.playbook` and :mod:`ops_actions.errors`: no
network (httpx), no PyGithub, no Click, nothing from ``triage``, ``status_page``, ``adapters``,
``flows`` or ``sandbox``.
"""
