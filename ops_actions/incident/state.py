"""What the tool remembers about an incident: ``IncidentState``, and the checks its fields pass.

An incident's whole state lives in its GitHub issue: labels, assignees, comments (the timeline)
and a hidden state block at the end of the body holding this state as JSON. A block is accepted
only when every field has its type and shape (``IncidentState.from_dict``) and its values are
ones the playbook knows (``state_fits_playbook``); the rest of the incident lives beside it: transitions in
:mod:`~ops_actions.incident.transitions`, the block in :mod:`~ops_actions.incident.state_block`,
the timeline in :mod:`~ops_actions.incident.timeline`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Final

from ops_actions.incident.clock import is_time, parse_time
from ops_actions.playbook.model import Playbook
from ops_actions.text.markdown import plain_line

STATE_VERSION: Final = 1
MAX_APPLIED_KEYS: Final = 200
# The state block must always fit in an issue body, so the free text it keeps is bounded (and the
# block itself is trimmed under state_block.STATE_BUDGET).
MAX_STATE_TEXT: Final = 2_000
MAX_TITLE: Final = 200
MAX_REASON: Final = 500
LOGIN: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")


def slug(text: str) -> str:
    """A dedupe key from free text: lower case, dashes, at most 60 characters."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
    return cleaned or hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


TIME_FIELDS: Final = frozenset(
    {
        "opened_at",
        "detected_at",
        "acknowledged_at",
        "mitigated_at",
        "resolved_at",
        "next_update_due",
        "clear_since",
        "normal_noted_for",
        "reminded_for",
        "smoke_passed_at",
        "lower_since",
        "urgent_update_sent_at",
        "comments_read_until",
    }
)
_SIMPLE_TYPES: Final[Mapping[str, tuple[type, ...]]] = {
    "str": (str,),
    "int": (int,),
    "bool": (bool,),
    "None": (type(None),),
    "list": (list,),
    "dict": (dict,),
}


# What each entry of the state's lists (and its freeze and monitor objects) must hold, because code
# reads these keys directly: key -> its JSON type, or "time" for text that parses as a time.
_ENTRY_SHAPES: Final[Mapping[str, Mapping[str, type | str]]] = {
    "severity_history": {"at": "time", "severity": str},
    "status_history": {"at": "time", "status": str},
    "snapshots": {"at": "time", "fired": list, "signals": dict},
    "runs": {"id": int, "role": str, "name": str, "url": str},
    "freeze": {"since": "time", "reason": str},
    "monitor": {"role": str, "name": str, "url": str, "since": "time", "until": "time"},
    "proposed": {"severity": str, "since": "time"},
    "false_alarm": {"by": str, "at": "time"},
    "inputs": {"at": "time", "signals": dict, "why": list},
    "planned": {"by": str, "at": "time", "window": str},
}
# Keys an entry may lack, but when present (and not null) hold this type, because code reads them.
_OPTIONAL_SHAPES: Final[Mapping[str, Mapping[str, type | str]]] = {
    "snapshots": {"unsure": list, "severity": str},
    "runs": {"conclusion": str, "ref": str, "key": str},
    "monitor": {"baseline": dict},
    "inputs": {"others": list},
}
# A manual checklist item's record: who ticked it, when and how.
_CHECK_SHAPE: Final[Mapping[str, type | str]] = {"by": str, "at": "time", "via": str}
# Numbers with a range: an issue number is positive, a count is not negative (``"postmortem": -1``
# would send resolve looking for issue -1).
_POSITIVE: Final = frozenset({"postmortem"})
_NOT_NEGATIVE: Final = frozenset({"comments_seen"})


def _has_shape(entry: object, shape: Mapping[str, type | str], *, optional: bool = False) -> bool:
    """Whether a JSON object has these keys with these types (``bool`` is no ``int`` here; a run's
    id is a positive number); ``optional``: a key may be absent or null."""
    if not isinstance(entry, dict):
        return False
    for key, kind in shape.items():
        value = entry.get(key)
        if optional and value is None:
            continue
        if isinstance(kind, str):
            if not is_time(value):
                return False
        elif not isinstance(value, kind) or isinstance(value, bool) or (isinstance(value, int) and value < 1):
            return False
    return True


def _texts(items: object) -> bool:
    """Whether a JSON value is a list of text (absent counts as empty)."""
    return items is None or (isinstance(items, list) and all(isinstance(item, str) for item in items))


def _entry_fits(name: str, entry: object) -> bool:
    """Whether one entry of a list field (or the freeze, monitor or proposed object) has its shape,
    with the lists and snapshots inside it checked too."""
    if not (_has_shape(entry, _ENTRY_SHAPES[name]) and isinstance(entry, dict)):
        return False
    if not _has_shape(entry, _OPTIONAL_SHAPES.get(name, {}), optional=True):
        return False
    if name == "snapshots" and not (_texts(entry["fired"]) and _texts(entry.get("unsure"))):
        return False
    if name == "inputs" and not (_texts(entry["why"]) and _texts(entry.get("others"))):
        return False
    baseline = entry.get("baseline") if name == "monitor" else None
    return baseline is None or (
        _has_shape(baseline, {"fired": list, "signals": dict}) and _texts(baseline["fired"])
    )


def _value_fits(annotation: str, value: object) -> bool:
    """Whether a JSON value matches a field annotation such as ``str | None`` or ``list[str]``."""
    for option in annotation.split("|"):
        allowed = _SIMPLE_TYPES.get(option.strip().split("[", 1)[0], ())
        if isinstance(value, allowed) and not (isinstance(value, bool) and bool not in allowed):
            return True
    return False


@dataclass
class IncidentState:
    """What the tool remembers about an incident, kept as JSON in the issue body."""

    key: str
    title: str
    severity: str
    status: str
    opened_at: str
    impact: str = ""
    summary: str = ""
    public_title: str | None = None
    """The title customers read on the status page, once a writer set one (``/public-title``);
    None: the page derives one from the components (see :mod:`ops_actions.status_page.public`)."""
    owner: str | None = None
    detected_at: str | None = None
    acknowledged_at: str | None = None
    mitigated_at: str | None = None
    resolved_at: str | None = None
    next_update_due: str | None = None
    status_update_due: bool = False
    playbook_sha256: str = ""
    severity_history: list[dict[str, Any]] = field(default_factory=list)
    status_history: list[dict[str, Any]] = field(default_factory=list)
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    inputs: list[dict[str, Any]] = field(default_factory=list)
    """The triage ticks that changed a decision, with their signal values: what ``replay`` re-runs
    (see incident/recorded_inputs.py)."""
    applied: list[str] = field(default_factory=list)
    clear_since: str | None = None
    normal_noted_for: str | None = None
    reminded_for: str | None = None
    escalated: bool = False
    freeze: dict[str, Any] | None = None
    runs: list[dict[str, Any]] = field(default_factory=list)
    monitor: dict[str, Any] | None = None
    smoke_passed_at: str | None = None
    postmortem: int | None = None
    components: list[str] = field(default_factory=list)
    comments_seen: int = 0
    comments_read_until: str | None = None
    """GitHub's time up to which the timeline was read for this block (the newest ``updated_at`` of a
    comment listing): the next reader lists only the comments updated since (``since=``)."""
    alerts: dict[str, str] = field(default_factory=dict)
    # What the incident was opened for (see incident/causes.py), the incidents linked to it, the
    # manual checklist items people ticked (id -> by, at, via), and the severity-follow clock.
    causes: list[str] = field(default_factory=list)
    related: list[int] = field(default_factory=list)
    checks: dict[str, dict[str, str]] = field(default_factory=dict)
    lower_since: str | None = None
    proposed: dict[str, Any] | None = None
    detected_by: dict[str, str] = field(default_factory=dict)
    """How the incident was opened, recorded then: ``how`` (see transitions.DETECTION), ``source``, ``by``."""
    false_alarm: dict[str, str] | None = None
    """Who closed it as not planned, and when, once a writer did (see incident/closes.py)."""
    planned: dict[str, str] | None = None
    """Who marked it as planned maintenance, when, and the window it belongs to ("" for none named;
    see incident/maintenance.py): left out of the response figures and shown as maintenance."""
    runner_view: str | None = None
    """What the runner saw when the incident rests on unreachability alone (no answer at all from
    the backend); None once a second signal came: a backend answer that says down, an alert, a
    person's status update. While set, public targets may wait (see ``public_held``)."""
    branches: list[str] = field(default_factory=list)
    """The decision-tree branches whose steps the incident follows: those at opening, then each
    that joined (a rule of the incident's causes with that branch fired)."""
    fired_rules: list[str] = field(default_factory=list)
    """Every rule that fired for the incident, in the order they first fired."""
    urgent_update_sent_at: str | None = None
    """When the status update the severity asks for at once (SEV-1) was posted."""
    body_written: list[str] = field(default_factory=list)
    """What the tool wrote into the part of the body people edit, each once (see
    issue_body.merged_body): ``branch:<id>`` sections and ``tick:<section>/<step>`` boxes."""
    version: int = STATE_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IncidentState:
        """Decode a state block; ValueError when it is not one this version wrote."""
        if data.get("version") != STATE_VERSION:
            raise ValueError("unsupported state version")
        known = {f.name: f for f in fields(cls)}
        values = {name: data[name] for name in known if name in data}
        for name in ("key", "title", "severity", "status", "opened_at"):
            if not isinstance(values.get(name), str):
                raise ValueError(f"state field {name} missing")
        for name, value in values.items():
            if not _value_fits(str(known[name].type), value):
                raise ValueError(f"state field {name} has the wrong type")
            if name in TIME_FIELDS and value is not None:
                parse_time(value)  # ValueError when a hand edit left no valid time
        for name in _ENTRY_SHAPES:
            # An empty object is an entry too: ``"proposed": {}`` has no severity to read.
            entries = values.get(name)
            listed = [] if entries is None else entries if isinstance(entries, list) else [entries]
            if not all(_entry_fits(name, entry) for entry in listed):
                raise ValueError(f"state field {name} holds an entry of the wrong shape")
        for name in ("applied", "components", "causes", "branches", "fired_rules", "body_written"):
            if not all(isinstance(item, str) for item in values.get(name, [])):
                raise ValueError(f"state field {name} holds something other than text")
        if len(values.get("applied", [])) > MAX_APPLIED_KEYS:
            raise ValueError(f"state field applied holds more than {MAX_APPLIED_KEYS} keys")
        if not all(type(number) is int and number > 0 for number in values.get("related", [])):
            raise ValueError("state field related holds something other than issue numbers")
        for name in _POSITIVE | _NOT_NEGATIVE:
            number = values.get(name)
            if number is not None and number < (1 if name in _POSITIVE else 0):
                raise ValueError(f"state field {name} is out of range")
        if not all(_has_shape(check, _CHECK_SHAPE) for check in dict(values.get("checks") or {}).values()):
            raise ValueError("state field checks holds an entry of the wrong shape")
        for name in ("alerts", "detected_by"):
            if not all(isinstance(v, str) for v in dict(values.get(name) or {}).values()):
                raise ValueError(f"state field {name} holds something other than text")
        return cls(**values)

    def has_applied(self, key: str) -> bool:
        """Whether an operation with this idempotency key already took effect."""
        return key in self.applied

    def mark_applied(self, key: str) -> None:
        self.applied = [*self.applied, key][-MAX_APPLIED_KEYS:]


def state_fits_playbook(playbook: Playbook, state: IncidentState) -> bool:
    """Whether a state holds values this playbook knows: its severity and status ids (also in the
    histories), a GitHub login as owner. A hand edit such as ``"severity": "sev-2"`` (the label,
    not the id) makes a block that does not fit: it is rebuilt instead of wedging every command."""
    severities = set(playbook.severities.ids)
    statuses = set(playbook.statuses)
    return (
        state.severity in severities
        and state.status in statuses
        and all(entry["severity"] in severities for entry in state.severity_history)
        and all(entry["status"] in statuses for entry in state.status_history)
        and (state.owner is None or LOGIN.fullmatch(state.owner) is not None)
        and (state.proposed is None or state.proposed["severity"] in severities)
        and all(LOGIN.fullmatch(check["by"]) is not None for check in state.checks.values())
        and (state.false_alarm is None or LOGIN.fullmatch(state.false_alarm["by"]) is not None)
        and (state.planned is None or LOGIN.fullmatch(state.planned["by"]) is not None)
    )


def public_held(playbook: Playbook, state: IncidentState) -> bool:
    """Whether customers are not told of this incident yet: it rests on unreachability from the
    runner alone and the playbook's ``unreachable.public`` says to wait for a second signal."""
    return state.runner_view is not None and playbook.unreachable_public == "wait"


def title_text(text: str) -> str:
    """A title as the state keeps it: one line of plain characters (see :func:`plain_line`), bounded."""
    return bounded(plain_line(text), MAX_TITLE) or "Incident"


def bounded(text: str, limit: int) -> str:
    """Stripped text of at most ``limit`` characters (an ellipsis marks a cut)."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
