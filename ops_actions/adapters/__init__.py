"""Adapters: one module (or package) per outside system the flows talk to.

``github_tracker`` is the GitHub issue tracker over PyGithub (a package, the only one that imports
PyGithub); ``notify`` sends chat and JSON webhook notifications over httpx; ``actions_runtime``
speaks to the GitHub Actions runner (outputs, job summary, annotations, masks); ``config`` reads
the settings Actions puts in the environment. Adapters may import the incident core, the playbook,
:mod:`ops_actions.text` and :mod:`ops_actions.errors`; never ``flows``, ``sandbox`` or the CLI.
"""
