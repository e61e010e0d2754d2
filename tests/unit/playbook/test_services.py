"""Services in the playbook (ops_actions/playbook/services.py): each service's view, its checks placed
at its lines, and the choice of a view (``Playbook.for_service``)."""

from __future__ import annotations

import pytest

from ops_actions.errors import ExitCode, OpsError
from ops_actions.playbook import PlaybookError, bundled_playbook_text, parse_playbook
from tests.support.playbooks import with_services


def test_a_playbook_without_services_is_one_service_as_before() -> None:
    playbook = parse_playbook(bundled_playbook_text(), source="x.yaml")
    assert playbook.services == ()
    assert playbook.for_service(None) is playbook
    assert playbook.incident_labels == ("incident",)
    with pytest.raises(OpsError, match="declares no services") as refused:
        playbook.for_service("api")
    assert refused.value.exit_code is ExitCode.USAGE


def test_each_service_inherits_what_it_does_not_set() -> None:
    playbook = parse_playbook(with_services(), source="x.yaml")
    api, worker = playbook.for_service("api"), playbook.for_service("worker")
    assert [service.id for service in playbook.services] == ["api", "worker"]
    assert (api.url_env, api.admin_token_env) == (playbook.url_env, playbook.admin_token_env)
    assert (worker.url_env, worker.admin_token_env) == ("WORKER_BACKEND_URL", "WORKER_BACKEND_ADMIN_TOKEN")
    assert [r.id for r in api.rules] == [r.id for r in worker.rules] == [r.id for r in playbook.rules]
    assert worker.incident_labels == ("incident", "service:worker")
    assert worker.report_dir == f"{playbook.report_dir}/worker"
    # Escalation goes to the service's team; its internal channel to the team's webhook.
    assert playbook.escalation is not None and worker.escalation is not None
    assert worker.escalation.mention == ("@octo-org/jobs",)
    assert worker.escalation.no_owner_after_minutes == playbook.escalation.no_owner_after_minutes
    internal = {t.id: t.url_env for t in worker.notify if t.audience == "internal"}
    assert internal and set(internal.values()) == {"JOBS_SLACK_WEBHOOK_URL"}
    assert {t.url_env for t in api.notify} == {t.url_env for t in playbook.notify}
    # Any view leads to any other: a command may switch to an incident's own service.
    assert api.for_service("worker") is worker
    assert worker.for_service(None) is worker


def test_a_playbook_of_several_services_asks_which() -> None:
    playbook = parse_playbook(with_services(), source="x.yaml")
    with pytest.raises(OpsError, match=r"several services \(api, worker\): pass --service ID"):
        playbook.for_service(None)
    with pytest.raises(OpsError, match="unknown service 'billing'; the playbook has api, worker"):
        playbook.for_service("billing")


def test_a_service_that_sets_its_own_probes_keeps_the_rules_it_inherits_honest() -> None:
    """The worker's own probes give no db_ok: the inherited rule that reads it is an error at the
    rule's line, said of the service; the worker's own bad value is placed at its own line."""
    services = """
services:
  - id: worker
    name: Job worker
    probes:
      - id: ready
        path: /api/ready
        signals:
          - {name: ready_ok, source: status_ok}
    workflows:
      deploy: {file: worker-deploy.yml, name: Worker Deploy, repository: octo-org/worker}
"""
    text = with_services(services)
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(text, source="x.yaml")
    lines = refused.value.lines()
    rule_line = text.splitlines().index("  - id: database-down") + 2  # its `when:` line
    assert any(
        line.startswith(f"x.yaml:{rule_line}:") and "service 'worker': unknown signal 'db_ok'" in line
        for line in lines
    ), lines
    # Problems of the whole playbook are not said again for the service.
    assert not any("service 'worker'" in line and "rules.0" in line and "ready_ok" in line for line in lines)


def test_a_service_value_wrong_in_itself_is_placed_at_its_line() -> None:
    services = """
services:
  - id: worker
    name: Job worker
    components: [worker]
"""
    text = with_services(services)
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(text, source="x.yaml")
    # A branch the worker inherits names a component the worker's own list lacks.
    assert all("service 'worker': unknown component" in line for line in refused.value.lines())
    assert any("decision_tree" in line for line in refused.value.lines())


def test_service_ids_are_unique_and_plain() -> None:
    twice = """
services:
  - {id: api, name: Billing API}
  - {id: api, name: Billing API again}
"""
    text = with_services(twice)
    with pytest.raises(PlaybookError, match="duplicate service 'api'") as refused:
        parse_playbook(text, source="x.yaml")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "Billing API again" in row)
    assert refused.value.lines()[0].startswith(f"x.yaml:{line}:")
    with pytest.raises(PlaybookError, match="not a valid name"):
        parse_playbook(with_services("\nservices:\n  - {id: Billing--API, name: x}\n"), source="x.yaml")
