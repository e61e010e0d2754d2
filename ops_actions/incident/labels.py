"""What an incident issue shows outside its body: its labels (with their colours) and its title.

The labels say what the issue is (``incident``), its severity, its status and a deploy freeze;
``label_specs`` names every label a playbook's incidents use, with the colour and description it is
created with. The title is ``[SEV-N] title``, repaired when someone edits the prefix away.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ops_actions.incident.state import IncidentState, title_text
from ops_actions.playbook.maintenance import MAINTENANCE_LABEL, PLANNED_LABEL
from ops_actions.playbook.model import INCIDENT_LABEL, SERVICE_LABEL_PREFIX, Playbook

# An incident's status is a label with this prefix.
STATUS_LABEL_PREFIX: Final = "status:"


@dataclass(frozen=True)
class LabelSpec:
    """A label with the colour and description it is created with."""

    name: str
    color: str
    description: str


# GitHub gives labels it creates on the fly this colour and no description.
AUTO_LABEL_COLOR: Final = "ededed"


_SEVERITY_COLORS: Final = ("b60205", "d93f0b", "fbca04", "c2e0c6", "bfdadc")


_STATUS_COLORS: Final = {"investigating": "1d76db", "mitigating": "fef2c0", "resolved": "0e8a16"}


def label_description(text: str) -> str:
    """A label description GitHub accepts: at most 100 characters, none beyond the Basic Multilingual
    Plane (GitHub refuses emoji there with 422)."""
    return " ".join("".join(char for char in text if ord(char) <= 0xFFFF).split())[:100]


def label_specs(playbook: Playbook) -> dict[str, LabelSpec]:
    """Every label the playbook's incidents use, by name."""
    specs = [LabelSpec(INCIDENT_LABEL, "b60205", "An incident, managed by ops-actions")]
    for severity in playbook.severities:
        color = _SEVERITY_COLORS[min(severity.rank, len(_SEVERITY_COLORS) - 1)]
        specs.append(
            LabelSpec(severity.label, color, label_description(f"{severity.id}: {severity.definition}"))
        )
    for status in playbook.statuses:
        specs.append(
            LabelSpec(
                f"{STATUS_LABEL_PREFIX}{status}",
                _STATUS_COLORS.get(status, "c5def5"),
                f"Incident is {status}",
            )
        )
    specs.append(
        LabelSpec(
            playbook.remediation.freeze_label, "000000", "Deploys are frozen until the incident is stable"
        )
    )
    specs.append(LabelSpec(PLANNED_LABEL, "0052cc", "Planned maintenance: left out of the response figures"))
    specs.append(LabelSpec(MAINTENANCE_LABEL, "0052cc", "An ad hoc maintenance window, kept by ops-actions"))
    for service in playbook.services:
        specs.append(LabelSpec(service.label, "5319e7", label_description(f"An incident of {service.name}")))
    return {spec.name: spec for spec in specs}


def labels_for(playbook: Playbook, state: IncidentState, current: Sequence[str] = ()) -> list[str]:
    """The labels an incident carries: incident, its service's (on a service's view), its severity's
    label, its status, a freeze, and planned once a writer marked it so; then those of the
    ``current`` labels the tool does not manage (the page's internal label, people's own), which a
    save must not take off, since GitHub replaces an issue's labels with the list it is given."""
    labels = [
        *playbook.incident_labels,
        playbook.severity(state.severity).label,
        f"{STATUS_LABEL_PREFIX}{state.status}",
    ]
    if state.freeze:
        labels.append(playbook.remediation.freeze_label)
    if state.planned is not None:
        labels.append(PLANNED_LABEL)
    managed = label_specs(playbook).keys()
    labels += [
        label
        for label in current
        if label not in managed and not label.startswith((STATUS_LABEL_PREFIX, SERVICE_LABEL_PREFIX))
    ]
    return labels


def service_labels(labels: Sequence[str]) -> list[str]:
    """The ``service:<id>`` labels among an issue's: what an issue filed for it (a postmortem, an
    action item) carries too, so a service's watch finds its own."""
    return [label for label in labels if label.startswith(SERVICE_LABEL_PREFIX)]


def service_of(labels: Sequence[str]) -> str | None:
    """The service a ``service:<id>`` label among ``labels`` names (None when there is none)."""
    return next((label.removeprefix(SERVICE_LABEL_PREFIX) for label in service_labels(labels)), None)


def issue_title(state: IncidentState) -> str:
    """``[SEV-N] title``."""
    return f"[{state.severity}] {state.title}"


def incident_title(playbook: Playbook, title: str) -> str:
    """The incident's title in an issue's title, as the state keeps it: the ``[SEV-N]`` prefix the
    tool writes taken off (a bracket that names no severity is part of the title)."""
    match = re.match(r"^\[([^\]]*)\]\s*", title)
    severity = match is not None and match.group(1) in playbook.severities.ids
    return title_text(title[match.end() :] if match and severity else title)


def repaired_title(title: str, state: IncidentState) -> str | None:
    """The issue title with the state's severity in its ``[SEV-N]`` prefix, or None when it has it."""
    match = re.match(r"^\[([^\]]*)\]\s*", title)
    if match and match.group(1) == state.severity:
        return None
    return f"[{state.severity}] {title[match.end() :] if match else title}"
