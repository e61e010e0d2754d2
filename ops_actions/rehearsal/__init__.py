"""Rehearsals (``ops-actions rehearse``): a game day played offline, beside the floors as the demo is.

``scenario`` reads a scenario file (YAML) against its JSON Schema, ``scenario.schema.json``, and
against the playbook it rehearses; ``play`` stages the sandbox backend and the GitHub emulator as the
demo does (:mod:`ops_actions.demo`) and runs the workflows' own entry points on them, ``ops-actions
watch`` on every scheduled tick and ``ops-actions command`` on each event a person's comment or
checkbox tick makes, on a simulated clock; ``verdict`` checks the expectations and writes the
timeline, the checks and the Markdown report. The scenarios the package ships are in
``ops_actions/scenarios/`` (``init`` copies them into ``rehearsals/``).

It may import every floor, the sandbox and the CLI's entry point (``cli.group.run``, inside the
player only); only ``cli/rehearse.py`` imports it.
"""
