"""Known secrets, and every string the tool publishes with them taken out.

The CLI registers each secret once it knows it (both tokens, URL credentials, webhook URLs); every
printer and every writer (stdout and stderr, annotations, the job summary and outputs, reports,
issue bodies and comments, notifications) passes its text through :meth:`Secrets.redact`. A
backend that echoes its ``Authorization`` header into its data, or an API error that echoes the
token, then publishes ``***`` instead.
"""

from __future__ import annotations

import base64
import json
from typing import Final
from urllib.parse import quote, unquote, urlsplit

REDACTED: Final = "***"
# Shorter values are no credible secret, and redacting them would mangle ordinary text.
MIN_SECRET_CHARS: Final = 8


def _forms(value: str) -> set[str]:
    """The value as it may appear in published text: itself, JSON-escaped, URL-encoded, and in base64
    the way HTTP Basic authentication carries it (git over HTTPS sends the token so)."""
    forms = {value, json.dumps(value)[1:-1], quote(value, safe="")}
    for basic in (value, f"x-access-token:{value}"):
        forms.add(base64.b64encode(basic.encode("utf-8")).decode("ascii"))
    return {form for form in forms if len(form) >= MIN_SECRET_CHARS}


class Secrets:
    """The secret values of this process; ``redact`` replaces every form of each with ``***``."""

    def __init__(self) -> None:
        self._forms: list[str] = []

    def add(self, value: str | None) -> bool:
        """Register a secret (a token, or the whole of a secret URL); True when it is new."""
        if not value or len(value) < MIN_SECRET_CHARS or value in self._forms:
            return False
        known = set(self._forms)
        self._forms.extend(sorted(_forms(value) - known, key=len, reverse=True))
        self._forms.sort(key=len, reverse=True)  # longest first: a form inside another goes last
        return True

    def add_url_credentials(self, url: str) -> list[str]:
        """Register the password and the user-info of a URL (``https://user:pass@host``); the new ones."""
        parts = urlsplit(url)
        found = [parts.password, f"{parts.username}:{parts.password}" if parts.password else None]
        new = []
        for value in found:
            if value:
                for candidate in (value, unquote(value)):
                    if self.add(candidate):
                        new.append(candidate)
        return new

    def redact(self, text: str) -> str:
        """The text with every known secret replaced by ``***``."""
        for form in self._forms:
            if form in text:
                text = text.replace(form, REDACTED)
        return text

    def __repr__(self) -> str:
        return f"Secrets({len(self._forms)} forms)"
