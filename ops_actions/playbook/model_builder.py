"""The typed model built from a schema-valid playbook, checking what the schema cannot.

:class:`ModelBuilder` turns the plain values of a :class:`~ops_actions.playbook.positions.PositionedDocument`
into a :class:`~ops_actions.playbook.model.Playbook` while checking that names refer to each other
(severities, probes, signals, workflows, branches, rules...), that conditions, queries and regexes
compile, and that a signal can read its probe's answer; each problem is placed at its line.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from regex import Pattern

from ops_actions.playbook.conditions import Expression, ExpressionError, parse
from ops_actions.playbook.formats import DEFAULT_FORMAT, PROBE_FORMATS, ProbeFormat
from ops_actions.playbook.maintenance import MaintenanceWindow, build_windows
from ops_actions.playbook.model import (
    BODY_SOURCES,
    DEFAULT_PROBE_CONCURRENCY,
    NO_AUTH,
    ONE_CAUSE,
    REPORT_KEYS,
    TEMPLATE_PLACEHOLDERS,
    AlertMapping,
    Auth,
    Branch,
    ChecklistItem,
    Escalation,
    FlapControl,
    IncidentSeverityPolicy,
    ManualCheck,
    MonitorWindow,
    NotifyTarget,
    Playbook,
    PostmortemSection,
    PostmortemTemplate,
    Probe,
    Remediation,
    Rule,
    Severities,
    Severity,
    SeverityPolicy,
    SignalSpec,
    StatusPage,
    Step,
    Subscriber,
    Workflow,
)
from ops_actions.playbook.positions import PositionedDocument
from ops_actions.playbook.problems import KeyPath, Problem
from ops_actions.text.template import placeholders

if TYPE_CHECKING:
    from ops_actions.playbook.queries import Query


# The statuses incident tools use (the seed's three, and Statuspage's): a status one letter away from
# one of them is a typo, which would otherwise become a status of its own that no command expects.
KNOWN_STATUSES = ("investigating", "identified", "mitigating", "monitoring", "resolved")


class ModelBuilder:
    """Builds the model while checking what the schema cannot: names that must refer to each other."""

    def __init__(self, document: PositionedDocument) -> None:
        self.document = document
        self.raw: dict[str, Any] = document.value
        self.problems: list[Problem] = []

    def add(self, path: KeyPath, message: str) -> None:
        self.problems.append(self.document.problem(path, message))

    def unique(
        self, items: Sequence[Mapping[str, Any]], base: KeyPath, what: str, key: str = "id"
    ) -> set[str]:
        """The set of ids, reporting each repeat."""
        seen: set[str] = set()
        for index, item in enumerate(items):
            name = item[key]
            if name in seen:
                self.add((*base, index, key), f"duplicate {what} {name!r}")
            seen.add(name)
        return seen

    def expression(self, path: KeyPath, source: str, signals: set[str]) -> Expression | None:
        """Parse a condition and check the signals it names."""
        try:
            expression = parse(source)
        except ExpressionError as error:
            self.add(path, f"{error.message} (column {error.column + 1} of the condition)")
            return None
        for name in sorted(expression.signals - signals):
            self.add(path, f"unknown signal {name!r} in condition")
        return expression

    def build(self) -> Playbook:
        raw = self.raw
        severities = Severities(
            Severity(
                id=item["id"],
                label=item["label"],
                definition=item["definition"],
                policy=SeverityPolicy(**item["policy"]),
                rank=rank,
            )
            for rank, item in enumerate(raw["severities"])
        )
        severity_ids = self.unique(raw["severities"], ("severities",), "severity")
        self.unique(raw["severities"], ("severities",), "severity label", key="label")
        self.unique([{"id": s} for s in raw["statuses"]], ("statuses",), "status")
        for index, status in enumerate(raw["statuses"]):
            near = difflib.get_close_matches(status, KNOWN_STATUSES, n=1, cutoff=0.8)
            if near and near[0] != status:
                self.add(
                    ("statuses", index), f"status {status!r} looks like a typo: did you mean {near[0]!r}?"
                )

        probes = tuple(self.probe(index, item) for index, item in enumerate(raw["probes"]))
        probe_ids = self.unique(raw["probes"], ("probes",), "probe")
        signal_specs = [
            ({"id": spec["name"]}, ("probes", p, "signals", s, "name"))
            for p, probe in enumerate(raw["probes"])
            for s, spec in enumerate(probe.get("signals", []))
        ]
        signals: set[str] = set()
        for spec, path in signal_specs:
            if spec["id"] in signals:
                self.add(path, f"duplicate signal {spec['id']!r}")
            if spec["id"] in REPORT_KEYS:
                self.add(path, f"signal {spec['id']!r} is named like a key of the triage report; rename it")
            signals.add(spec["id"])

        probes = self.probe_gates(probes, signals)
        workflows = {
            role: Workflow(role=role, file=item["file"], name=item["name"], repository=item.get("repository"))
            for role, item in raw["workflows"].items()
        }
        text_probes = {probe.id for probe in probes if probe.answer_format.body_kind == "text"}
        refs = _Refs(severity_ids, probe_ids, signals, set(workflows), text_probes)

        branches = tuple(self.branch(index, item, refs) for index, item in enumerate(raw["decision_tree"]))
        branch_ids = self.unique(raw["decision_tree"], ("decision_tree",), "branch")
        flap = self.flap_control(raw.get("flap_control"), {rule["id"] for rule in raw["rules"]})
        rules = tuple(
            self.rule(index, item, refs, branch_ids, flap) for index, item in enumerate(raw["rules"])
        )
        self.unique(raw["rules"], ("rules",), "rule")
        manual_checks = tuple(
            self.manual_check(index, item, refs) for index, item in enumerate(raw.get("manual_checks", []))
        )
        self.unique(raw.get("manual_checks", []), ("manual_checks",), "manual check")
        first_steps = self.steps(("first_10_minutes",), raw["first_10_minutes"], refs)
        self.template(raw["communication"]["template"])
        checklist = tuple(
            self.checklist_item(index, item, refs) for index, item in enumerate(raw["resolution_checklist"])
        )
        self.unique(raw["resolution_checklist"], ("resolution_checklist",), "checklist item")
        postmortem = raw["postmortem"]
        self.unique(postmortem["sections"], ("postmortem", "sections"), "postmortem section")
        notify = tuple(
            self.notify_target(index, item, refs) for index, item in enumerate(raw.get("notify", []))
        )
        self.unique(raw.get("notify", []), ("notify",), "notify target")
        escalation = raw.get("escalation")
        hotfix = raw.get("remediation", {}).get("hotfix_branch")
        if hotfix is not None and set(placeholders(hotfix)) - {"number"}:
            self.add(("remediation", "hotfix_branch"), "the hotfix branch name may only use {number}")
        return Playbook(
            name=raw["name"],
            scope_description=raw["scope"].get("description"),
            components=tuple(raw["scope"]["components"]),
            severities=severities,
            statuses=tuple(raw["statuses"]),
            url_env=raw["backend"]["url_env"],
            admin_token_env=raw["backend"]["admin_token_env"],
            probes=probes,
            rules=tuple(rule for rule in rules if rule is not None),
            first_10_minutes=first_steps,
            decision_tree=tuple(branch for branch in branches if branch is not None),
            workflows=workflows,
            communication_template=raw["communication"]["template"],
            resolution_checklist=checklist,
            postmortem=PostmortemTemplate(
                due_hours=postmortem["due_hours"],
                sections=tuple(
                    PostmortemSection(
                        id=s["id"],
                        title=s["title"],
                        prompt=s["prompt"],
                        action_items=s.get("action_items", False),
                    )
                    for s in postmortem["sections"]
                ),
            ),
            remediation=Remediation(**raw.get("remediation", {})),
            escalation=Escalation(escalation["no_owner_after_minutes"], tuple(escalation["mention"]))
            if escalation
            else None,
            notify=notify,
            alerts=self.alert_mapping(raw.get("alerts", {}), refs, severities),
            watch_interval_minutes=raw.get("watch", {}).get("interval_minutes", 10),
            report_dir=raw.get("triage", {}).get("report_dir", "reports"),
            probe_concurrency=raw.get("triage", {}).get("max_concurrent_probes", DEFAULT_PROBE_CONCURRENCY),
            unreachable_public=raw.get("unreachable", {}).get("public", "wait"),
            severity_policy=IncidentSeverityPolicy(**raw.get("severity_policy", {})),
            group_by=raw.get("causes", {}).get("group_by", "cause"),
            flap_control=flap,
            manual_checks=manual_checks,
            status_page=self.status_page(raw["status_page"], refs, severities)
            if "status_page" in raw
            else None,
            maintenance=self.maintenance_windows(),
        )

    def maintenance_windows(self) -> tuple[MaintenanceWindow, ...]:
        services = self.raw.get("services") or []
        own = (component for service in services for component in service.get("components", []))
        components = [*self.raw["scope"]["components"], *own]
        return build_windows(
            self.raw.get("maintenance", []),
            self.add,
            components=components,
            services=[service["id"] for service in services],
        )

    def status_page(
        self, item: Mapping[str, Any], refs: _Refs, severities: tuple[Severity, ...]
    ) -> StatusPage:
        outage = tuple(item.get("outage_severities", [severities[0].id]))
        for index, severity in enumerate(outage):
            if severity not in refs.severities:
                self.add(("status_page", "outage_severities", index), f"unknown severity {severity!r}")
        section = item.get("postmortem_section")
        if section is not None and section not in {s["id"] for s in self.raw["postmortem"]["sections"]}:
            self.add(("status_page", "postmortem_section"), f"unknown postmortem section {section!r}")
        return StatusPage(
            team=item.get("team"),
            links=tuple((link["title"], link["url"]) for link in item.get("links", [])),
            public_events=tuple(item.get("public_events", StatusPage.public_events)),
            outage_severities=outage,
            postmortem_section=section,
            internal_label=item.get("internal_label", StatusPage.internal_label),
            url=item.get("url"),
            subscribers=tuple(
                Subscriber(entry["id"], entry["url_env"], entry["secret_env"])
                for entry in item.get("subscribers", [])
            ),
        )

    def flap_control(self, item: Mapping[str, Any] | None, rule_ids: set[str]) -> FlapControl:
        if item is None:
            return FlapControl()
        for index, rule_id in enumerate(item["rules"]):
            if rule_id not in rule_ids:
                self.add(("flap_control", "rules", index), f"unknown rule {rule_id!r}")
        return FlapControl(failed_ticks=item.get("failed_ticks", 2), rules=tuple(item["rules"]))

    def manual_check(self, index: int, item: Mapping[str, Any], refs: _Refs) -> ManualCheck:
        for s, severity in enumerate(item.get("severities", [])):
            if severity not in refs.severities:
                self.add(("manual_checks", index, "severities", s), f"unknown severity {severity!r}")
        return ManualCheck(id=item["id"], text=item["text"], severities=tuple(item.get("severities", ())))

    def alert_mapping(
        self, item: Mapping[str, Any], refs: _Refs, severities: tuple[Severity, ...]
    ) -> AlertMapping:
        for label, severity in item.get("severities", {}).items():
            if severity not in refs.severities:
                self.add(("alerts", "severities", label), f"unknown severity {severity!r}")
        default = item.get("default_severity", severities[-1].id)
        if default not in refs.severities:
            self.add(("alerts", "default_severity"), f"unknown severity {default!r}")
        return AlertMapping(
            severity_label=item.get("severity_label", "severity"),
            component_label=item.get("component_label", "component"),
            severities=dict(item.get("severities", {})),
            default_severity=default,
        )

    def notify_target(self, index: int, item: Mapping[str, Any], refs: _Refs) -> NotifyTarget:
        for s, severity in enumerate(item.get("severities", [])):
            if severity not in refs.severities:
                self.add(("notify", index, "severities", s), f"unknown severity {severity!r}")
        return NotifyTarget(
            id=item["id"],
            kind=item["kind"],
            url_env=item["url_env"],
            severities=tuple(item.get("severities", ())),
            events=tuple(item.get("events", ())),
            audience=item.get("audience", "public"),
        )

    def probe(self, index: int, item: Mapping[str, Any]) -> Probe:
        base: KeyPath = ("probes", index)
        probe_format = PROBE_FORMATS[item.get("format", DEFAULT_FORMAT)]
        specs = [
            self.signal((*base, "signals", s), spec, probe_format)
            for s, spec in enumerate(item.get("signals", []))
        ]
        diagnostic = item.get("diagnostic", False)
        if not diagnostic and not specs:
            self.add(base, "a probe that is not diagnostic must read at least one signal")
        if item.get("prefetch", False) and not diagnostic:
            self.add((*base, "prefetch"), "only a diagnostic probe can be prefetched; the others always run")
        for key in ("when", "every_minutes"):
            if key in item and diagnostic:
                message = f"a diagnostic probe runs when its branch fetches it; {key} is for the others"
                self.add((*base, key), message)
        if probe_format.body_kind == "text":
            for key in ("list_field", "group_by", "show"):
                if key in item:
                    self.add((*base, key), f"{key} queries JSON; the items of a text answer are its lines")
        if ("body" in item) != (item.get("method") == "POST"):
            self.add((*base, "body"), "a POST probe sends a body, and only a POST probe does")
        list_field = self.query((*base, "list_field"), item["list_field"]) if "list_field" in item else None
        group_by = [self.query((*base, "group_by", g), q) for g, q in enumerate(item.get("group_by", []))]
        show = [self.query((*base, "show", c), q) for c, q in enumerate(item.get("show", []))]
        return Probe(
            id=item["id"],
            method=item.get("method", "GET"),
            path=item["path"],
            timeout_s=float(item.get("timeout_s", 10)),
            signals=tuple(specs),
            auth=self.auth(item.get("auth", "none")),
            format=probe_format.name,
            diagnostic=diagnostic,
            prefetch=item.get("prefetch", False),
            list_field=list_field,
            group_by=tuple(query for query in group_by if query is not None),
            body=item.get("body"),
            samples=item.get("samples", False),
            show=tuple(query for query in show if query is not None) if "show" in item else None,
            every_minutes=item.get("every_minutes"),
        )

    def probe_gates(self, probes: tuple[Probe, ...], signals: set[str]) -> tuple[Probe, ...]:
        """The probes with their ``when`` conditions, which read the first round: the signals of
        the probes that always run (a gated probe's signals are not known when it is decided)."""
        always = {
            spec.name
            for item, probe in zip(self.raw["probes"], probes, strict=True)
            if not probe.diagnostic and "when" not in item and "every_minutes" not in item
            for spec in probe.signals
        }
        gated = []
        for index, (item, probe) in enumerate(zip(self.raw["probes"], probes, strict=True)):
            if "when" not in item:
                gated.append(probe)
                continue
            path: KeyPath = ("probes", index, "when")
            when = self.expression(path, item["when"], signals)
            for name in sorted((when.signals & signals) - always if when else ()):
                self.add(
                    path,
                    f"signal {name!r} comes from a probe that does not always run; "
                    "a probe's when reads the signals of the probes that always run",
                )
            gated.append(replace(probe, when=when))
        return tuple(gated)

    def auth(self, item: str | Mapping[str, Any]) -> Auth:
        """A probe's auth; ``admin`` is the short form of a bearer token from backend.admin_token_env."""
        admin_env: str = self.raw["backend"]["admin_token_env"]
        if isinstance(item, str):
            return Auth("bearer", env=admin_env) if item == "admin" else NO_AUTH
        if item["kind"] == "none":
            return NO_AUTH
        return Auth(item["kind"], env=item.get("env", admin_env), header=item.get("header"))

    def signal(self, path: KeyPath, spec: Mapping[str, Any], probe_format: ProbeFormat) -> SignalSpec:
        """A signal, checked against its probe's format: queries read JSON, regexes read text."""
        source = spec.get("source", probe_format.body_kind)
        kind = spec.get("type", "number")
        field, regex = None, None
        for key, reader in (("field", "json"), ("regex", "text")):
            if key in spec and source != reader:
                self.add((*path, key), f"'{key}' is read only by source {reader}, not {source}")
        if source in BODY_SOURCES:
            key, wanted = ("field", "json") if source == "json" else ("regex", "text")
            if source != probe_format.body_kind:
                self.add(
                    (*path, "source"),
                    f"source {source} cannot read the answer of a {probe_format.name} probe",
                )
            if key not in spec:
                self.add(path, f"a {wanted} signal needs a '{key}'")
            elif source == "json":
                field = self.query((*path, "field"), spec["field"])
            else:
                regex = self.regex((*path, "regex"), spec["regex"])
            if source == "text" and kind == "object":
                self.add((*path, "type"), "a text signal cannot be an object")
        return SignalSpec(name=spec["name"], source=source, type=kind, field=field, regex=regex)

    def query(self, path: KeyPath, source: str) -> Query | None:
        """Compile a JMESPath query; an invalid one is a problem at its line."""
        # Loaded here, not at import, like jsonschema: --help needs no query library.
        from ops_actions.playbook.queries import QueryError, compile_query

        try:
            return compile_query(source)
        except QueryError as error:
            self.add(path, f"{error.message} (column {error.column + 1} of the query)")
            return None

    def regex(self, path: KeyPath, source: str) -> Pattern[str] | None:
        """Compile a text signal's regex; one that does not compile is a problem at its line."""
        from ops_actions.playbook.queries import QueryError, compile_regex

        try:
            return compile_regex(source)
        except QueryError as error:
            self.add(path, f"{error.message} (column {error.column + 1} of the regex)")
            return None

    def branch(self, index: int, item: Mapping[str, Any], refs: _Refs) -> Branch | None:
        base: KeyPath = ("decision_tree", index)
        condition = self.expression((*base, "condition"), item["condition"], refs.signals)
        steps = self.steps((*base, "steps"), item["steps"], refs)
        for c, component in enumerate(item.get("components", [])):
            if component not in self.raw["scope"]["components"]:
                self.add(
                    (*base, "components", c), f"unknown component {component!r} (not in scope.components)"
                )
        if condition is None:
            return None
        return Branch(
            id=item["id"],
            title=item["title"],
            condition=condition,
            steps=steps,
            components=tuple(item.get("components", ())),
        )

    def rule(
        self, index: int, item: Mapping[str, Any], refs: _Refs, branch_ids: set[str], flap: FlapControl
    ) -> Rule | None:
        base: KeyPath = ("rules", index)
        if item["severity"] not in refs.severities:
            self.add((*base, "severity"), f"unknown severity {item['severity']!r}")
        if "branch" in item and item["branch"] not in branch_ids:
            self.add((*base, "branch"), f"unknown branch {item['branch']!r}")
        when = self.expression((*base, "when"), item["when"], refs.signals)
        holds = (
            self.expression((*base, "holds_while"), item["holds_while"], refs.signals)
            if "holds_while" in item
            else None
        )
        if when is None or ("holds_while" in item and holds is None):
            return None
        flapping = item["id"] in flap.rules
        consecutive = item.get("consecutive", 1)
        return Rule(
            id=item["id"],
            when=when,
            severity=item["severity"],
            branch=item.get("branch"),
            consecutive=max(consecutive, flap.failed_ticks) if flapping else consecutive,
            summary=item["summary"],
            cause=self.cause(item),
            alert_confirms=flapping,
            holds_while=holds,
        )

    def cause(self, item: Mapping[str, Any]) -> str:
        """The rule's cause under causes.group_by: one for all, the rule itself, or its named cause."""
        group_by = self.raw.get("causes", {}).get("group_by", "cause")
        if group_by == "one":
            return ONE_CAUSE
        if group_by == "rule":
            return str(item["id"])
        return str(item.get("cause") or item.get("branch") or item["id"])

    def steps(self, base: KeyPath, items: Sequence[Mapping[str, Any]], refs: _Refs) -> tuple[Step, ...]:
        self.unique(items, base, "step")
        return tuple(self.step((*base, index), item, refs) for index, item in enumerate(items))

    def step(self, path: KeyPath, item: Mapping[str, Any], refs: _Refs) -> Step:
        for s, severity in enumerate(item.get("only_for", [])):
            if severity not in refs.severities:
                self.add((*path, "only_for", s), f"unknown severity {severity!r}")
        for s, signal in enumerate(item.get("signals", [])):
            if signal not in refs.signals:
                self.add((*path, "signals", s), f"unknown signal {signal!r}")
        if "probe" in item and item["probe"] not in refs.probes:
            self.add((*path, "probe"), f"unknown probe {item['probe']!r}")
        if "field" in item and item.get("probe") in refs.text_probes:
            self.add((*path, "field"), "a field queries JSON; the probe's answer is text")
        if "workflow" in item and item["workflow"] not in refs.workflows:
            self.add((*path, "workflow"), f"unknown workflow role {item['workflow']!r}")
        minutes = item.get("minutes")
        window = MonitorWindow(**minutes) if minutes else None
        if window and window.min > window.max:
            self.add((*path, "minutes"), "the monitor window's min is larger than its max")
        return Step(
            id=item["id"],
            kind=item["kind"],
            text=item["text"],
            only_for=tuple(item.get("only_for", ())),
            only_if=item.get("only_if"),
            signals=tuple(item.get("signals", ())),
            expect_env=dict(item.get("expect_env", {})),
            probe=item.get("probe"),
            field=self.query((*path, "field"), item["field"]) if "field" in item else None,
            workflow=item.get("workflow"),
            minutes=window,
        )

    def template(self, template: str) -> None:
        path: KeyPath = ("communication", "template")
        for name in placeholders(template):
            if name not in TEMPLATE_PLACEHOLDERS:
                known = ", ".join(sorted(TEMPLATE_PLACEHOLDERS))
                self.add(path, f"unknown template placeholder {{{name}}}; known: {known}")

    def checklist_item(self, index: int, item: Mapping[str, Any], refs: _Refs) -> ChecklistItem:
        path: KeyPath = ("resolution_checklist", index, "verify")
        verify = item["verify"]
        kind = verify["kind"]
        if kind == "metrics-normal" and "minutes" not in verify:
            self.add(path, "metrics-normal needs 'minutes'")
        if kind == "workflow-success":
            if "workflow" not in verify:
                self.add(path, "workflow-success needs 'workflow'")
            elif verify["workflow"] not in refs.workflows:
                self.add((*path, "workflow"), f"unknown workflow role {verify['workflow']!r}")
        return ChecklistItem(
            id=item["id"],
            text=item["text"],
            verify=kind,
            minutes=verify.get("minutes"),
            workflow=verify.get("workflow"),
        )


@dataclass(frozen=True)
class _Refs:
    """Names other sections may refer to."""

    severities: set[str]
    probes: set[str]
    signals: set[str]
    workflows: set[str]
    text_probes: set[str]
