"""ops-actions: an incident-response playbook as code, run by GitHub Actions."""

__version__ = "0.1.0"
