"""The emulator's web pages: what its ``html_url`` links open in a browser.

The emulator answers ``html_url`` under its own base URL, as GitHub Enterprise Server answers it
under its web host (``<server>/<owner>/<repo>/issues/<n>``): a link the CLI prints against the
emulator (``opened #3: …``) is one that opens. A page is a read-only view of the issue: its title,
state, labels, body and comments, each an escaped text (nothing from an issue is markup here), and
no API request: a browser's visit is not counted, rate-limited or recorded.
"""

from __future__ import annotations

import html
import re
from typing import Final

from ops_actions.sandbox.github.model import _iso
from ops_actions.sandbox.github.store import _Store

HTML_PAGE: Final = re.compile(r"^/(?P<owner>[^/]+)/(?P<repo>[^/]+)/(?:issues|pull)/(?P<number>\d+)$")
"""An issue's (or pull request's) page on the web host; ``/repos/…`` is the API's, never a page."""
_HTML_TYPE: Final = "text/html; charset=utf-8"
_STYLE: Final = (
    "body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}"
    "pre{white-space:pre-wrap;background:#f6f8fa;padding:.75rem;border-radius:6px}"
    ".meta{color:#57606a}.label{border:1px solid #d0d7de;border-radius:1em;padding:0 .5em;margin-right:.3em}"
)


def _page(title: str, content: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{content}</body></html>\n"
    ).encode()


def not_found_page(path: str) -> tuple[int, dict[str, str], bytes]:
    """A 404 page for a web path the emulator has nothing at."""
    body = _page("Not Found", f"<h1>Not Found</h1><p>Nothing at {html.escape(path)} on this emulator.</p>")
    return 404, {"Content-Type": _HTML_TYPE}, body


class _Pages(_Store):
    """Renders an issue of this repository as a web page."""

    def issue_page(self, number: int) -> tuple[int, dict[str, str], bytes]:
        """The page of issue ``number``: 200 with its view, or 404 when there is no such issue."""
        with self._lock:
            issue = self._issues.get(number)
            if issue is None or issue.deleted:
                return not_found_page(f"/{self.full_name}/issues/{number}")
            labels = "".join(
                f'<span class="label">{html.escape(self._labels[lid].name)}</span>' for lid in issue.labels
            )
            shown = [self._comments[cid] for cid in issue.comment_ids if cid in self._comments]
            comments = "".join(
                f'<article id="issuecomment-{comment.id}"><p class="meta">'
                f"{html.escape(comment.user)} commented at {_iso(comment.created_at)}</p>"
                f"<pre>{html.escape(comment.body)}</pre></article>"
                for comment in shown
            )
            content = (
                f'<p class="meta">{html.escape(self.full_name)} · GitHub emulator (read-only)</p>'
                f"<h1>{html.escape(issue.title)} #{issue.number}</h1>"
                f'<p class="meta">{html.escape(issue.state)} · opened by {html.escape(issue.user)} '
                f"at {_iso(issue.created_at)}</p><p>{labels}</p>"
                f"<pre>{html.escape(issue.body)}</pre>"
                f"<h2>Comments ({len(shown)})</h2>{comments}"
            )
            return 200, {"Content-Type": _HTML_TYPE}, _page(f"{issue.title} · #{issue.number}", content)
