"""The pure incident core: what an incident is and how it changes, with no I/O.

``state`` holds the incident's state, its transitions and the timeline entries they produce (the
hidden state block, event markers, replay); ``render`` writes the issue body and the triage text;
``postmortem`` the postmortem body and its action items; ``figures`` the report's numbers;
``alerts`` reads monitors' payloads; ``slash_registry`` holds the slash commands and
``slash_grammar`` parses them; ``triage_report`` holds the triage report's data types. Modules
here import only the standard library, :mod:`ops_actions.text`, :mod:`ops_actions.playbook` and
:mod:`ops_actions.errors`: no network (httpx), no PyGithub, no Click, nothing from ``triage``,
``adapters``, ``flows`` or ``sandbox``.
"""
