"""Text the tool writes: Markdown helpers (markdown-it-py), Mermaid diagrams, ``{placeholder}`` templates.

The bottom floor. Everything that enters Markdown from outside passes :mod:`.markdown`'s escaping.
Modules here import only the standard library and markdown-it-py: no playbook, no incident, no
network, no Click.
"""
