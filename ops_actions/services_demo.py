"""The offline demo of two services in one incidents repository (``ops-actions demo --services``).

The playbook is the one the demo reads with two services added (``init --add-service`` does the same
to a team's file): the Billing API and the Job worker, each a sandbox backend of its own, one GitHub
emulator for both. Each scheduled tick runs the watch once per service, as the scheduled triage's
matrix does; the worker's database goes down, the API stays healthy, and exactly one incident opens,
labelled ``service:worker`` and named after it. The issues are written as Markdown to the output
folder, each service's triage reports in its own folder under the playbook's ``triage.report_dir``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ops_actions.demo import DEMO_TOKEN, Demo, emulated_github, narrate, wired, write_issues
from ops_actions.incident.triage_report import content_hash
from ops_actions.playbook import Playbook, parse_playbook
from ops_actions.playbook.service_entry import add_service
from ops_actions.sandbox.backend import SandboxBackend


@dataclass(frozen=True)
class DemoService:
    """A service of the demo, and the sandbox scenario its backend plays once the story starts."""

    id: str
    name: str
    scenario: str


SERVICES: Final = (
    DemoService("api", "Billing API", "healthy"),
    DemoService("worker", "Job worker", "db-down"),
)
# The ticks after the failure: flap control may want a second failed triage before it opens.
TICKS_AFTER_FAILURE: Final = (10, 20)


def two_service_playbook(text: str, *, source: str) -> tuple[str, Playbook]:
    """The playbook ``text`` with the demo's services added, and the playbook it loads as."""
    for service in SERVICES:
        text = add_service(text, source=source, service_id=service.id, name=service.name).text
    return text, parse_playbook(text, source=source)


def run_services_demo(
    playbook_text: str, *, source: str, output: Path, say: Callable[[str], None], fast: bool
) -> list[Path]:
    """Play two services, one failing, and write the issues as Markdown; returns the files written."""
    text, playbook = two_service_playbook(playbook_text, source=source)
    sha256 = content_hash(text.encode("utf-8"))
    pause = 0.0 if fast else 0.6
    output.mkdir(parents=True, exist_ok=True)
    with emulated_github(playbook) as (emulator, tracker), ExitStack() as backends:
        demos: dict[str, Demo] = {}
        for service in SERVICES:
            backend = backends.enter_context(SandboxBackend(admin_token=DEMO_TOKEN, clock=emulator.now))
            stage = wired(backend, emulator, tracker, playbook.for_service(service.id), output)
            demos[service.id] = Demo(
                stage,
                playbook_path=f"{source} + services {', '.join(s.id for s in SERVICES)}",
                playbook_sha256=sha256,
                say=_tagged(say, service.id),
                pause=pause,
            )
        narrate(
            say,
            "Two services, one incidents repository: each tick runs the watch once per service, as the "
            "scheduled triage's matrix does (its own backend, history and incidents).",
            pause,
        )
        for demo in demos.values():
            demo.watch(0, show=False)
        failing = [service for service in SERVICES if service.scenario != "healthy"]
        for service in failing:
            demos[service.id].stage.backend.set_scenario(service.scenario)
        narrate(
            say,
            ", ".join(f"{s.name} starts failing (sandbox scenario '{s.scenario}')" for s in failing)
            + "; the others stay healthy. The next ticks:",
            pause,
        )
        for minutes in TICKS_AFTER_FAILURE:
            for demo in demos.values():
                demo.watch(minutes, show=False)
        narrate(say, "The incidents, by service:", pause)
        for service in SERVICES:
            label = demos[service.id].stage.playbook.incident_labels
            shown = [
                f"#{issue['number']} {issue['title']}"
                for issue in emulator.issues(state="open")
                if set(label) <= {item["name"] for item in issue["labels"]}
            ]
            say(f"  {service.id} ({service.name}): {', '.join(shown) or 'no open incident'}")
        files = write_issues(demos[SERVICES[0].id].stage)
    reports = output / playbook.report_dir
    say(
        f"\nWrote {len(files)} issues as Markdown to {output}/ and the triage reports to {reports}/<service>/"
    )
    return files


def _tagged(say: Callable[[str], None], service_id: str) -> Callable[[str], None]:
    """``say`` with each line marked with the service it is about."""
    return lambda line: say(f"  {service_id:<8}| {line}")
