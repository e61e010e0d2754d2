"""Alert intake, pure: a ``repository_dispatch`` ``client_payload`` from any monitor -> one Alert.

Three shapes are understood: ours (documented in docs/cli.md), an Alertmanager webhook body and a
Grafana alerting webhook body, passed through verbatim. GitHub caps ``client_payload`` at 10
top-level keys, which Grafana's body exceeds: it travels wrapped as ``{"body": ...}``, which
``ops-actions send-alert`` does by itself. A group of alerts becomes one
alert (the group is one cause); its severity is the most severe of the group's. Anything else
is rejected with the reason, before anything is written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ops_actions.errors import ExitCode, OpsError
from ops_actions.playbook.model import Playbook
from ops_actions.text.json_limits import MAX_JSON_DEPTH, depth_of, problem_of

# The repository_dispatch event type monitors raise alerts with (incident-alert.yml listens for it).
ALERT_EVENT: Final = "ops-alert"
MAX_PAYLOAD_BYTES: Final = 64 * 1024
STATUSES: Final = ("firing", "resolved")
OUR_KEYS: Final = frozenset(
    {"source", "title", "severity", "component", "service", "dedupe_key", "link", "status"}
)
SERVICE_LABEL: Final = "service"
"""The Alertmanager or Grafana label (common to the group) that names the service an alert is for."""


@dataclass(frozen=True)
class Alert:
    """One cause a monitor reports: firing or resolved."""

    source: str
    title: str
    severity: str
    component: str | None
    key: str
    link: str | None
    status: str
    count: int = 1


class AlertError(OpsError):
    """A payload that is not an alert we can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(f"alert rejected: {message}", ExitCode.USAGE)


def _text(value: Any, what: str, *, required: bool = True, limit: int = 500) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise AlertError(f"{what} must be non-empty text")
    return value.strip()[:limit]


def severity_of(playbook: Playbook, value: str | None) -> str:
    """A severity from a monitor's label value (playbook mapping), a playbook id, or the default."""
    mapping = playbook.alerts.severities
    if value is None:
        return playbook.alerts.default_severity
    lowered = value.strip().lower()
    for label, mapped in mapping.items():
        if label.lower() == lowered:
            return mapped
    found = playbook.severities.find(value)
    if found is not None:
        return found
    raise AlertError(
        f"severity {value!r} is neither mapped in the playbook (alerts.severities) nor a severity"
    )


def delivery_summary(payload: Mapping[str, Any]) -> str:
    """What a refused delivery held, in one line safe to print (ASCII escapes, no nesting walked
    recursively), so the alert is not lost with it: its top-level keys, its title when it has one,
    its size and a fingerprint to find it again among the deliveries."""
    keys = ", ".join(json.dumps(str(key))[1:-1][:40] for key in list(payload)[:10])
    title = payload.get("title")
    shown = f"; title {json.dumps(title[:120])}" if isinstance(title, str) else ""
    if depth_of(payload) > MAX_JSON_DEPTH:
        return f"delivery: keys {keys}{shown}; too deep to measure"
    text = json.dumps(payload, sort_keys=True)  # ASCII: a lone surrogate is written as its escape
    digest = hashlib.sha256(text.encode("ascii")).hexdigest()[:16]
    return f"delivery: keys {keys}{shown}; {len(text)} bytes; sha256 {digest}"


def _body(payload: Any) -> dict[str, Any]:
    """The alert's JSON object, checked for size and shape; unwrapped when ``send-alert`` wrapped it."""
    if not isinstance(payload, dict):
        raise AlertError("client_payload must be a JSON object")
    problem = problem_of(payload)
    if problem is not None:
        raise AlertError(f"client_payload {problem} ({delivery_summary(payload)})")
    if len(json.dumps(payload)) > MAX_PAYLOAD_BYTES:
        raise AlertError(f"client_payload is larger than {MAX_PAYLOAD_BYTES} bytes")
    if set(payload) == {"body"} and isinstance(payload["body"], dict):
        return payload["body"]  # a webhook body with more than GitHub's 10 top-level keys (Grafana's)
    return payload


def parse_payload(playbook: Playbook, payload: Any) -> Alert:
    """The alert a client_payload carries; AlertError says why it is not one."""
    payload = _body(payload)
    if "alerts" in payload and "orgId" in payload:
        return _grouped(playbook, payload, source="grafana", key_field="groupKey")
    if "alerts" in payload and payload.get("version") == "4":
        return _grouped(playbook, payload, source="alertmanager", key_field="groupKey")
    if set(payload) <= OUR_KEYS and "title" in payload:
        return _ours(playbook, payload)
    raise AlertError(
        "unknown payload shape: expected ops-actions' own (title, severity, dedupe_key, status, ...), "
        "an Alertmanager webhook body (version 4) or a Grafana alerting webhook body (orgId)"
    )


def alert_service(playbook: Playbook, payload: Any) -> str | None:
    """The id of the service an alert is for, read with the whole playbook before anything is written:
    our payload's ``service`` field (which must name one), an Alertmanager or Grafana group's common
    ``service`` label when it names one, else the service that alone has the alert's component. None
    for a playbook of one service; AlertError (exit 2) naming the services when none is found."""
    alert = parse_payload(playbook, payload)
    body = _body(payload)
    grouped = "alerts" in body
    named = _mapping(body.get("commonLabels")).get(SERVICE_LABEL) if grouped else body.get(SERVICE_LABEL)
    ids = [service.id for service in playbook.services]
    if not ids:
        if named is not None and not grouped:
            raise AlertError("service: this playbook declares no services (leave the field out)")
        return None
    if named in ids:
        return str(named)
    if named is not None and not grouped:
        raise AlertError(f"service {str(named)[:100]!r} is not one of the playbook's: {', '.join(ids)}")
    if alert.component is not None:
        owners = [sid for sid in ids if alert.component in playbook.for_service(sid).components]
        if len(owners) == 1:
            return owners[0]
    raise AlertError(
        f"which service is this alert for? the playbook has {', '.join(ids)}: give our payload a "
        f"service field, the Alertmanager or Grafana alerts a '{SERVICE_LABEL}' label, or a component "
        "only one service has"
    )


def _status(value: Any) -> str:
    if value not in STATUSES:
        raise AlertError(f"status must be one of {', '.join(STATUSES)}")
    return str(value)


def _ours(playbook: Playbook, payload: Mapping[str, Any]) -> Alert:
    title = _text(payload.get("title"), "title") or ""
    component = _text(payload.get("component"), "component", required=False, limit=100)
    if component is not None and component not in playbook.components:
        raise AlertError(f"component {component!r} is not in the playbook's scope")
    return Alert(
        source=_text(payload.get("source", "monitor"), "source", limit=100) or "monitor",
        title=title,
        severity=severity_of(
            playbook, payload.get("severity") if isinstance(payload.get("severity"), str) else None
        ),
        component=component,
        key=_text(payload.get("dedupe_key", title), "dedupe_key", limit=200) or title,
        link=_link(payload.get("link")),
        status=_status(payload.get("status", "firing")),
    )


def _link(value: Any) -> str | None:
    """An http(s) URL of one line: a line break in it would start new Markdown (or a marker) where
    the link is shown."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise AlertError("link must be an http(s) URL")
    if any(char.isspace() or not char.isprintable() for char in value):
        raise AlertError("link must be a URL without white space or control characters")
    return value[:500]


def _mapping(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}


def _grouped(playbook: Playbook, payload: Mapping[str, Any], *, source: str, key_field: str) -> Alert:
    """An Alertmanager or Grafana group: one cause, the group's most severe severity."""
    alerts = payload.get("alerts")
    if not isinstance(alerts, list) or not alerts or not all(isinstance(a, dict) for a in alerts):
        raise AlertError(f"{source} payload has no alerts")
    labels_of: list[dict[str, Any]] = [_mapping(a.get("labels")) for a in alerts]
    severity_label = playbook.alerts.severity_label
    severities = [
        severity_of(playbook, str(labels[severity_label]) if severity_label in labels else None)
        for labels in labels_of
    ]
    common_labels = _mapping(payload.get("commonLabels"))
    annotations = _mapping(payload.get("commonAnnotations"))
    first_annotations = _mapping(alerts[0].get("annotations"))
    name = (
        annotations.get("summary")
        or common_labels.get("alertname")
        or first_annotations.get("summary")
        or labels_of[0].get("alertname")
        or f"{source} alert"
    )
    title = str(name)[:200] + (f" ({len(alerts)} alerts)" if len(alerts) > 1 else "")
    component_label = playbook.alerts.component_label
    component = common_labels.get(component_label)
    if component is not None and component not in playbook.components:
        component = None
    key = payload.get(key_field) or alerts[0].get("fingerprint")
    link = payload.get("externalURL") or alerts[0].get("generatorURL")
    return Alert(
        source=source,
        title=title,
        severity=min(severities, key=playbook.severities.rank),
        component=str(component) if component else None,
        key=_text(key, f"{key_field} or fingerprint", limit=200) or "",
        link=_link(link) if link else None,
        status=_status(payload.get("status")),
        count=len(alerts),
    )


def client_payload(body: Mapping[str, Any]) -> dict[str, Any]:
    """What ``send-alert`` puts in client_payload: the body itself, or wrapped when GitHub would refuse it."""
    return dict(body) if len(body) <= 10 else {"body": dict(body)}
