"""Text from outside stays text on the public status page, and a closed incident takes no update.

Each test plays an attack through the CLI, an alert or a comment on the GitHub emulator, builds the
page with ``ops-actions status-page build`` and reads what a visitor or a feed reader gets: no live
link from a title, an alert or an update; no title its author renamed without a writer; a feed
that parses as XML whatever characters a title holds; nothing published after "resolved".
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from lxml import etree

from ops_actions.incident.state_block import read_state
from tests.support.fixtures.github import REPO
from tests.support.fixtures.world import World

LINK = "[reset your password](https://evil.example)"
ATOM = {"atom": "http://www.w3.org/2005/Atom"}


class _Links(HTMLParser):
    """The targets of the links a browser shows, and the text it shows."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.parts: list[str] = []
        self._head = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._head += tag == "head"
        if tag == "a":
            self.targets.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        self._head -= tag == "head"

    def handle_data(self, data: str) -> None:
        if not self._head:
            self.parts.append(data)


class Site:
    """A built site: its files, the feed parsed as XML (a reader drops a feed that does not parse)."""

    def __init__(self, root: Path) -> None:
        self.files = {
            p.relative_to(root).as_posix(): p.read_text("utf-8") for p in root.rglob("*") if p.is_file()
        }
        self.feed = etree.fromstring(self.files["feed.xml"].encode("utf-8"))

    def page(self, path: str) -> _Links:
        parsed = _Links()
        parsed.feed(self.files[path])
        return parsed

    def text(self, path: str) -> str:
        return " ".join(" ".join(self.page(path).parts).split())

    def links(self) -> list[str]:
        """Every link target of every page, and of every feed entry's HTML content."""
        targets = [t for name in self.files if name.endswith(".html") for t in self.page(name).targets]
        for content in self.feed.iterfind("atom:entry/atom:content", ATOM):
            parsed = _Links()
            parsed.feed(content.text or "")
            targets += parsed.targets
        return targets

    def feed_titles(self) -> list[str]:
        return [entry.findtext("atom:title", "", ATOM) for entry in self.feed.iterfind("atom:entry", ATOM)]


def build(world: World, minutes: float) -> Site:
    out = world.tmp_path / f"site-{minutes}"
    assert world.cli(minutes, "status-page", "build", "--out", str(out)) == 0
    return Site(out)


def assert_no_outside_link(site: Site) -> None:
    assert not [t for t in site.links() if "evil" in t], "no link leads where outside text points"


def test_an_alert_title_with_a_markdown_link_never_reaches_the_page_and_public_words_stay_text(
    world: World,
) -> None:
    """An alert whose title is a Markdown link: the page calls the incident by its derived title, and
    a writer's public words holding the same link show its brackets, on the page and in the feed."""
    alert = {
        "source": "uptime",
        "title": LINK,
        "severity": "critical",
        "dedupe_key": "phish",
        "status": "firing",
    }
    assert world.alert(0, alert) == 0
    update = ["incident", "update", "1", "--status", "mitigating", "--message", "internal note"]
    assert world.cli(5, *update, "--public", f"see {LINK}") == 0
    site = build(world, 6)
    assert_no_outside_link(site)
    shown = site.text("incidents/1.html")
    assert f"see {LINK}" in shown and shown.count("reset your password") == 1, "the public words only"
    assert not any(LINK in title for title in site.feed_titles())
    content = site.feed.findtext("atom:entry/atom:content", "", ATOM)
    assert LINK in content and "href" not in content
    assert "internal note" not in "".join(site.files.values())


def test_a_read_only_authors_title_never_reaches_the_page_a_writers_public_title_does(world: World) -> None:
    """A read-only person opens an incident titled with a link, then renames it: the page calls it
    by the title derived from it ("Degraded performance"), whatever a writer's /status; a writer's
    /public-title is the title customers read, as text, and a writer's ``public:`` words the
    update's text (a triage-role user's of either are refused)."""
    emulator = world.emulator
    labels = ["incident", "sev-2", "status:investigating"]
    number = emulator.add_issue(title=LINK, labels=labels, user="mallory")
    emulator.set_permission("alice", "write")
    emulator.set_permission("trish", "triage")
    assert world.comment(1, number, "/status mitigating rolled back", "alice") == 0
    renamed = f"[SEV-2] Payments down {LINK}"
    emulator.handle(
        "PATCH",
        f"/repos/{REPO}/issues/{number}",
        {"authorization": f"token {emulator.user_token('mallory')}", "content-type": "application/json"},
        json.dumps({"title": renamed}).encode(),
    )
    assert emulator.issue(number)["title"] == renamed, "the author may rename her issue"
    assert world.comment(2, number, "/status mitigating fix out", "alice") == 0
    before = build(world, 3)
    assert "evil" not in "".join(before.files.values()) and "Payments down" not in before.text("index.html")
    assert "Degraded performance: mitigating" in before.feed_titles()
    assert all(title.startswith("Degraded performance: ") for title in before.feed_titles())
    assert world.comment(4, number, f"/public-title Payments {LINK}", "trish") == 0
    assert "/public-title" not in "".join(build(world, 5).files.values())
    assert read_state(emulator.issue(number)["body"]).public_title is None, "a triage role is not obeyed"
    assert world.comment(6, number, f"/public-title Card payments slow {LINK}", "alice") == 0
    assert world.comment(7, number, "/status mitigating public: FROM TRIAGE", "trish") == 0
    assert (
        world.comment(8, number, "/status mitigating db-7 failed over public: Payments recover.", "alice")
        == 0
    )
    site = build(world, 9)
    assert "Payments recover." in site.text("incidents/1.html") and "db-7" not in "".join(site.files.values())
    assert "FROM TRIAGE" not in "".join(site.files.values()), "a triage role's public words are refused"
    assert_no_outside_link(site)
    assert site.text("incidents/1.html").startswith(f"Skip to the status {REPO.split('/')[1]} Back")
    assert f"Card payments slow {LINK} Status Mitigating" in site.text("incidents/1.html")
    assert f"Card payments slow {LINK}: mitigating" in site.feed_titles()


def test_a_control_character_in_a_title_is_not_stored_and_the_feed_stays_xml(world: World) -> None:
    """Control characters and a lone surrogate in a title never reach the issue, the state or the feed."""
    title = "Checkout\x01 failing\x0b\ud800 now"
    assert world.cli(0, "incident", "open", "--title", title, "--severity", "2") == 0
    assert world.cli(1, "incident", "update", "1", "--status", "mitigating", "--message", "a\x02b") == 0
    issue = world.incident()
    assert issue["title"] == "[SEV-2] Checkout failing now"
    state = read_state(issue["body"])
    assert state is not None and state.title == "Checkout failing now"
    assert world.cli(2, "incident", "public-title", "1", title) == 0
    state = read_state(world.incident()["body"])
    assert state is not None and state.public_title == "Checkout failing now"
    site = build(world, 3)
    assert site.feed_titles() == ["Checkout failing now: mitigating", "Checkout failing now: investigating"]


def test_a_control_character_a_maintainer_put_in_the_state_block_leaves_the_feed_valid_xml(
    world: World,
) -> None:
    """A title with control characters written into the block by hand (or before titles were
    cleaned) loses them in every file of the page: the feed still parses."""
    assert world.cli(0, "incident", "open", "--title", "Checkout failing", "--severity", "2") == 0
    assert world.cli(1, "incident", "public-title", "1", "Checkout failing") == 0
    body = world.incident()["body"]
    edited = body.replace(
        '"public_title":"Checkout failing"', '"public_title":"Checkout\\u0001 failing\\u001b"'
    )
    world.edit_body(1, edited)
    state = read_state(world.incident()["body"])
    assert state is not None and state.public_title == "Checkout\x01 failing\x1b", "the hand edit took"
    site = build(world, 2)
    assert site.feed_titles() == ["Checkout failing: investigating"]
    assert not any("\x01" in content or "\x1b" in content for content in site.files.values())


def resolved_incident(world: World) -> None:
    assert world.cli(0, "incident", "open", "--title", "Queue stuck", "--severity", "2") == 0
    assert world.cli(5, "incident", "resolve", "1", "--force", "--reason", "smoke runner down") == 0
    assert world.incident()["state"] == "closed"


def test_an_update_on_a_resolved_closed_incident_is_refused_and_never_published(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """`incident update 1 --status mitigating --message "oops wrong number"` on a closed incident:
    exit 2 with what to do instead, no comment, the labels unchanged, the page shows it resolved."""
    resolved_incident(world)
    comments = len(world.timeline())
    update = ["incident", "update", "1", "--status", "mitigating", "--message", "oops wrong number"]
    capsys.readouterr()
    assert world.cli(10, *update) == 2
    assert (
        "#1 is closed: status update refused (reopen it, or open a new incident)" in capsys.readouterr().err
    )
    world.emulator.set_permission("alice", "write")
    others = (["severity", "1", "1", "--reason", "x"], ["impact", "1", "everyone"], ["assign", "1", "@alice"])
    for args in others:
        assert world.cli(11, "incident", *args) == 2
    assert len(world.timeline()) == comments
    labels = {label["name"] for label in world.incident()["labels"]}
    assert "status:resolved" in labels and "status:mitigating" not in labels
    site = build(world, 12)
    assert "oops wrong number" not in "".join(site.files.values())
    assert site.feed_titles() == ["Degraded performance: resolved", "Degraded performance: investigating"]


def test_slash_commands_on_a_closed_incident_are_refused_with_what_to_do(world: World) -> None:
    """A writer's /status, /sev, /impact and /owner on a resolved incident: one reply saying it is
    closed and to reopen it or open a new incident, nothing else written or published."""
    resolved_incident(world)
    world.emulator.set_permission("alice", "write")
    commands = "/status mitigating oops wrong number\n/sev 1 worse\n/impact everyone\n/owner @alice"
    assert world.comment(10, 1, commands, "alice") == 0
    *_, reply = world.timeline()
    assert reply.count("is closed") == 4 and "reopen it, or open a new incident" in reply
    issue = world.incident()
    assert issue["state"] == "closed" and issue["assignees"] == []
    assert "status:resolved" in {label["name"] for label in issue["labels"]}
    site = build(world, 11)
    assert "oops wrong number" not in "".join(site.files.values())
    assert site.feed_titles() == ["Degraded performance: resolved", "Degraded performance: investigating"]
