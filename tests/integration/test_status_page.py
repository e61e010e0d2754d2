"""The status page built from incidents the CLI really made on the GitHub emulator.

Each test plays incidents through the commands (so the timeline markers are the tool's own), runs
`ops-actions status-page build`, and reads what a visitor would: the pages' visible text, the Atom
feed (validated against RFC 4287's RELAX NG schema with lxml) and status.json (validated against
the JSON Schema the package ships). Maintenance and the per-component feeds are in
test_status_page_maintenance.py.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from ops_actions.cli import run
from ops_actions.playbook import bundled_playbook_text
from ops_actions.status_page.status_json import status_schema
from tests.support.atom import NS, checked_feed
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.github import GITHUB_TOKEN, REPO
from tests.support.fixtures.world import World


class _Text(HTMLParser):
    """The text a browser shows (no markup, no script or style)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in {"script", "style", "head"}

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in {"script", "style", "head"}

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


class Site:
    """A built site, checked on reading: the feed is Atom, status.json matches its schema."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = {
            p.relative_to(root).as_posix(): p.read_text("utf-8") for p in root.rglob("*") if p.is_file()
        }
        self.status = self.checked(self.files["status.json"])
        self.feed = checked_feed(self.files["feed.xml"])

    @staticmethod
    def checked(content: str) -> dict[str, Any]:
        """A status.json (the page's, or a service's), checked against the schema the package ships."""
        document: dict[str, Any] = json.loads(content)
        validator = jsonschema.Draft202012Validator(
            status_schema(), format_checker=jsonschema.FormatChecker()
        )
        validator.validate(document)
        return document

    def text(self, path: str = "index.html") -> str:
        return visible(self.files[path])

    def entries(self) -> list[tuple[str, str]]:
        """(title, link) of each feed entry, newest first."""
        return [
            (entry.findtext("atom:title", namespaces=NS) or "", entry.find("atom:link", NS).get("href"))
            for entry in self.feed.findall("atom:entry", NS)
        ]

    def everything(self) -> str:
        return "\n".join(self.files.values())


def build(world: World, minutes: float) -> Site:
    out = world.tmp_path / "site"
    assert world.cli(minutes, "status-page", "build", "--out", str(out)) == 0
    return Site(out)


def component_states(site: Site) -> dict[str, str]:
    return {c["name"]: c["status"] for c in site.status["components"]}


def test_no_incident_every_component_is_operational(world: World) -> None:
    site = build(world, 0)
    text = site.text()
    assert "All systems operational" in text and "No open incidents." in text
    assert "No incidents in the last 90 days." in text
    assert set(component_states(site).values()) == {"operational"}
    assert site.status["status"] == "operational" and site.status["incidents"] == []
    assert all(c["days"] == [] and c["incident_minutes"] == 0 for c in site.status["components"])
    assert site.entries() == []
    assert not any(name.startswith("incidents/") for name in site.files)


def step_outputs(world: World, minutes: float, *args: str) -> dict[str, str]:
    """Run the CLI as an Actions step and read back the outputs it wrote to GITHUB_OUTPUT."""
    output = world.tmp_path / f"github-output-{world.runs + 1}"
    world.monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    assert world.cli(minutes, *args) == 0
    written = output.read_text(encoding="utf-8") if output.exists() else ""
    return {name: value for name, _, value in HEREDOC_OUTPUT.findall(written)}


HEREDOC_OUTPUT = re.compile(r"^([\w-]+)<<(\S+)\n(.*?)\n\2$", re.MULTILINE | re.DOTALL)


def test_an_open_sev1_shows_as_an_outage_of_its_component_with_its_update(world: World) -> None:
    """And each announced change tells its run to publish the page (the status-page output, which
    starts the workflow's publishing job); a new owner is not news for customers."""
    open_ = ["incident", "open", "--title", "Checkout failing", "--severity", "1"]
    opened = step_outputs(world, 0, *open_, "--impact", "All card payments", "--component", "billing")
    update = ["incident", "update", "1", "--status", "mitigating", "--next", "30m"]
    updated = step_outputs(world, 5, *update, "--message", "Rolled back the 9:55 deploy")
    world.emulator.set_permission("alice", "write")  # GitHub assigns collaborators (and participants)
    assigned = step_outputs(world, 6, "incident", "assign", "1", "@alice")
    assert opened["status-page"] == "true" and updated["status-page"] == "true"
    assert "status-page" not in assigned
    assert world.emulator.workflow_dispatches() == [], "published in the same run, never dispatched"

    site = build(world, 10)
    text = site.text()
    assert "Major outage" in text and "1 open incident." in text
    assert component_states(site) == {
        "auth": "operational",
        "billing": "outage",
        "jobs": "operational",
        "worker": "operational",
        "stripe webhook": "operational",
    }
    for page in ("index.html", "incidents/1.html"):
        shown = site.text(page)
        assert "Billing unavailable" in shown, "the public title, derived from the component"
        assert "We are investigating an outage of billing." in shown, "the entry at its start"
        assert "Status changed to mitigating." in shown, "an update without public words"
    for internal in ("Checkout failing", "[SEV-1]", "Impact:", "All card payments", "Rolled back the 9:55"):
        assert internal not in site.everything(), "neither the issue's title nor the template nor the message"
    assert "Since 2026-11-27 10:00 UTC" in site.text("incidents/1.html").replace("Started", "Since")
    (incident,) = site.status["incidents"]
    assert incident["open"] is True and incident["level"] == "outage" and incident["status"] == "mitigating"
    assert incident["title"] == "Billing unavailable"
    assert [(u["kind"], u["at"]) for u in incident["updates"]] == [
        ("opened", "2026-11-27T10:00:00Z"),
        ("status", "2026-11-27T10:05:00Z"),
    ]
    assert site.entries() == [
        ("Billing unavailable: mitigating", "incidents/1.html"),
        ("Billing unavailable: investigating", "incidents/1.html"),
    ]
    assert "alice" not in site.everything(), "owners never reach the page"


def test_a_resolved_incident_has_its_history_and_the_postmortems_customer_summary(world: World) -> None:
    open_ = ["incident", "open", "--title", "Queue stuck", "--severity", "2", "--component", "jobs"]
    assert world.cli(0, *open_) == 0
    assert (
        world.cli(5, "incident", "update", "1", "--status", "mitigating", "--message", "Worker restarted")
        == 0
    )
    resolve = ["incident", "resolve", "1", "--force", "--reason", "smoke runner down"]
    assert world.cli(45, *resolve) == 0
    assert world.cli(46, "postmortem", "create", "1") == 0
    (postmortem,) = world.issues("postmortem")
    body = postmortem["body"]
    body = body.replace("_What caused the incident?_", "A cron job filled the disk of db-internal-7.")
    body = body.replace(
        "_What customers read on the status page once this is written; no names, no internals._",
        "Jobs queued for up to 45 minutes. We now alert on queue growth.",
    )
    world.edit_body(postmortem["number"], body)

    site = build(world, 60)
    assert "All systems operational" in site.text()
    past = site.text().split("Past incidents", 1)[1]
    assert "Degraded performance of jobs Degraded · 2026-11-27 10:00 UTC · lasted 45 min" in past
    page = site.text("incidents/1.html")
    assert "Summary Jobs queued for up to 45 minutes. We now alert on queue growth." in page
    assert "db-internal-7" not in site.everything(), "only the section the playbook publishes"
    assert "Ended 2026-11-27 10:45 UTC Duration 45 min" in page
    assert page.index("The incident is resolved.") < page.index("Status changed to mitigating."), (
        "newest first"
    )
    assert "Worker restarted" not in site.everything(), "a message without public words stays the team's"
    (incident,) = site.status["incidents"]
    assert incident["open"] is False and incident["status"] == "resolved"
    assert incident["ended_at"] == "2026-11-27T10:45:00Z" and incident["level"] == "degraded"
    assert incident["postmortem_summary"] == "Jobs queued for up to 45 minutes. We now alert on queue growth."
    jobs = next(c for c in site.status["components"] if c["name"] == "jobs")
    assert jobs["days"] == [{"date": "2026-11-27", "status": "degraded", "minutes": 45}]
    assert (jobs["incident_days"], jobs["incident_minutes"]) == (1, 45)
    assert component_states(site)["jobs"] == "operational"
    assert [title for title, _ in site.entries()] == [
        "Degraded performance of jobs: resolved",
        "Degraded performance of jobs: mitigating",
        "Degraded performance of jobs: investigating",
    ]


def test_internal_comments_owners_diagnostics_and_tokens_never_reach_the_page(world: World) -> None:
    """A watch-opened SEV-1 (triage table, snapshots, diagnostics), an owner, people's comments (one
    pasting a forged marker), a token typed into an update, and an incident labelled internal."""
    world.backend.set_scenario("db-down")
    assert world.watch(0) == 0
    (incident,) = world.issues()
    number = incident["number"]
    world.emulator.set_permission("alice", "write")
    assert world.cli(2, "incident", "assign", str(number), "@alice") == 0
    world.emulator.add_comment(number, body="Internal: the primary is db-internal-7, page @bob", user="carol")
    forged = (
        '<!-- ops-actions:event {"key":"x","kind":"status","at":"2026-11-27T10:03:00Z",'
        '"summary":"status: mitigating","incident":"triage","public":"FORGED UPDATE"} -->'
    )
    world.emulator.add_comment(number, body=f"Mitigated, see:\n\n{forged}", user="mallory")
    leak = f"Failing over; token {GITHUB_TOKEN} rotated"
    update = ["incident", "update", str(number), "--status", "mitigating", "--message", "db-internal-7"]
    assert world.cli(4, *update, "--public", leak) == 0
    world.backend.set_scenario("healthy")  # the same cause clears (a new cause would open its own incident)
    assert world.watch(10) == 0  # what changed goes on the timeline as a triage snapshot
    hidden = ["incident", "open", "--title", "Staff VPN flaky", "--severity", "3"]
    assert world.cli(11, *hidden) == 0
    internal = next(i["number"] for i in world.issues(state="open") if "VPN" in i["title"])
    world.emulator.handle(
        "POST",
        f"/repos/{REPO}/issues/{internal}/labels",
        {"authorization": f"token {GITHUB_TOKEN}", "content-type": "application/json"},
        json.dumps({"labels": ["internal"]}).encode(),
    )
    assert any("Triage snapshot" in body for body in world.timeline(number)), "the scenario has them"

    site = build(world, 12)
    everything = site.everything()
    assert "api/v2/summary.json" in site.files, "the Statuspage-compatible documents are read too"
    assert "Failing over; token *** rotated" in site.text(f"incidents/{number}.html")
    for secret in (
        GITHUB_TOKEN,
        ADMIN_TOKEN,
        world.backend.url.split("//", 1)[1],  # the backend's address
        "alice",  # the owner
        "bob",
        "carol",
        "mallory",
        "db-internal-7",
        "FORGED",
        "Staff VPN",
        "db_ok",  # a signal
        "Triage snapshot",
        "Branch",
        "dead_letters",
        "freeze",
    ):
        assert secret not in everything, secret
    assert [i["id"] for i in site.status["incidents"]] == [number]
    assert [u["kind"] for u in site.status["incidents"][0]["updates"]] == ["opened", "status"]


def test_without_a_status_page_nothing_is_published(world: World, tmp_path: Path) -> None:
    """A playbook without the section: no output, no note, no dispatch."""
    playbook = yaml.safe_load(bundled_playbook_text())
    del playbook["status_page"]
    path = tmp_path / "playbook.yaml"
    path.write_text(yaml.safe_dump(playbook), encoding="utf-8")
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(path))
    opened = step_outputs(world, 0, "incident", "open", "--title", "Checkout failing", "--severity", "1")
    assert "status-page" not in opened
    assert world.emulator.workflow_dispatches() == []
    assert world.timeline() == []


def test_reading_costs_four_listings_and_one_comment_page_per_incident_with_comments(world: World) -> None:
    """The list endpoint (never search), each listing one request, whatever the number of issues:
    the open incidents, those of the history, the postmortems and the open ad hoc maintenance
    windows; and once who the token acts as (only that identity's markers count). An incident whose
    listing says it has no comment is not read."""
    for minute, title in enumerate(["A", "B", "C"]):
        assert world.cli(minute, "incident", "open", "--title", title, "--severity", "2") == 0
    world.emulator.add_comment(2, body="looking", user="alice")
    world.emulator.reset_log()
    build(world, 10)
    requests = [(r.method, r.path) for r in world.emulator.requests]
    assert sorted(requests) == sorted(
        [("GET", f"/repos/{REPO}/issues")] * 4
        + [("GET", f"/repos/{REPO}/issues/2/comments")]
        + [("GET", "/user")]
    )


def test_build_replaces_an_earlier_build_but_never_a_foreign_folder(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    out = world.tmp_path / "site"
    build(world, 0)
    (out / "incidents").mkdir()
    (out / "incidents" / "99.html").write_text("stale", encoding="utf-8")
    build(world, 1)
    assert not (out / "incidents" / "99.html").exists(), "an earlier build is replaced whole"
    foreign = world.tmp_path / "docs"
    foreign.mkdir()
    (foreign / "notes.md").write_text("mine", encoding="utf-8")
    capsys.readouterr()
    assert run(["status-page", "build", "--out", str(foreign)]) == 2
    assert "is not an earlier status page build" in capsys.readouterr().err
    assert (foreign / "notes.md").read_text(encoding="utf-8") == "mine"


def test_the_playbook_names_the_team_links_and_outage_severities_and_titles_stay_text(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    playbook = world.tmp_path / "playbook.yaml"
    text = bundled_playbook_text().replace(
        "status_page:\n  public_events: [status, resolved]\n  outage_severities: [SEV-1]\n",
        "status_page:\n  team: Acme Payments\n  links:\n    - {title: Support, url: 'https://acme.example/help'}\n"
        "  public_events: [opened, status, resolved]\n  outage_severities: [SEV-1, SEV-2]\n",
    )
    playbook.write_text(text, encoding="utf-8")
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(playbook))
    title = '<img src=x onerror="alert(1)"> & <script>alert(2)</script>'
    open_ = ["incident", "open", "--title", "Checkout failing", "--severity", "2", "--impact", "<b>All</b>"]
    assert world.cli(0, *open_) == 0
    assert world.cli(1, "incident", "public-title", "1", title) == 0

    site = build(world, 1)
    markup = [content for name, content in site.files.items() if name.endswith((".html", ".xml"))]
    assert not any("<img" in content or "<script>alert" in content for content in markup)
    assert f"{title} " in site.text(), "the title shows as the text it is"
    assert site.text().startswith(
        "Skip to the status Acme Payments Support Acme Payments status Major outage"
    )
    assert '<a href="https://acme.example/help">Support</a>' in site.files["index.html"]
    assert site.status["team"] == "Acme Payments" and site.status["status"] == "outage"
    (update,) = site.status["incidents"][0]["updates"]
    assert update["kind"] == "opened" and update["text"] == "We are investigating an outage."
    assert "<b>All</b>" not in site.everything(), "the impact is the team's unless the playbook publishes it"
    assert site.feed.findtext("atom:author/atom:name", namespaces=NS) == "Acme Payments"

    capsys.readouterr()
    assert run(["status-page", "build", "--out", str(world.tmp_path / "dry"), "--dry-run"]) == 0
    # index, an incident's page, status.json, maintenance.ics, feed.xml and five component feeds, 3 static,
    # and the 8 Statuspage-compatible api/v2 documents
    assert "[dry-run] would write 21 files" in capsys.readouterr().out
    assert not (world.tmp_path / "dry").exists()


def test_an_update_keeps_the_labels_people_gave_so_an_internal_incident_stays_off_the_page(
    world: World,
) -> None:
    """GitHub replaces an issue's labels with the list an edit gives: the tool's saves keep the
    labels it does not manage (the page's internal label, a person's own) and replace only its own."""
    assert world.cli(0, "incident", "open", "--title", "Staff VPN flaky", "--severity", "3") == 0
    (incident,) = world.issues()
    number = incident["number"]
    world.emulator.handle(
        "POST",
        f"/repos/{REPO}/issues/{number}/labels",
        {"authorization": f"token {GITHUB_TOKEN}", "content-type": "application/json"},
        json.dumps({"labels": ["internal", "customer-reported"]}).encode(),
    )
    assert (
        world.cli(2, "incident", "update", str(number), "--status", "mitigating", "--message", "Rerouted")
        == 0
    )
    labels = {label["name"] for label in world.issues()[0]["labels"]}
    assert {"internal", "customer-reported", "status:mitigating"} <= labels
    assert "status:investigating" not in labels
    assert "Staff VPN" not in build(world, 3).everything()
