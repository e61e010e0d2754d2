"""The example playbooks of examples/ read as playbooks: they validate, point editors at the schema and
use the condition language."""

from __future__ import annotations

import pytest

from ops_actions.cli import run
from ops_actions.playbook import Playbook, load_playbook
from tests.support.paths import BUNDLED_PLAYBOOK, MESSAGING_EXAMPLE, PACKAGE, SEARCH_EXAMPLE
from tests.support.playbooks import signal_names


@pytest.fixture(scope="module")
def example() -> Playbook:
    """The search-team example, loaded and validated."""
    return load_playbook(SEARCH_EXAMPLE)


@pytest.fixture(scope="module")
def seed() -> Playbook:
    """The bundled (seed) playbook."""
    return load_playbook(BUNDLED_PLAYBOOK)


def test_example_validates_with_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    """`ops-actions playbook validate` accepts the example and counts its probes, rules and branches."""
    assert run(["playbook", "validate", str(SEARCH_EXAMPLE)]) == 0
    assert "valid (3 probes, 10 rules, 3 branches)" in capsys.readouterr().out


def test_example_points_editors_at_the_package_schema() -> None:
    """The first line's $schema path, taken relative to the example, is the package's schema file."""
    first = SEARCH_EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix)
    target = (SEARCH_EXAMPLE.parent / first.removeprefix(prefix)).resolve()
    assert target == PACKAGE / "playbook" / "schema.json"


def test_example_shares_no_names_with_the_seed(example: Playbook, seed: Playbook) -> None:
    """Severities, labels, signals, probe paths, rules, branches, workflows and env vars all differ."""

    def disjoint(ours: object, theirs: object) -> None:
        assert isinstance(ours, set | frozenset) and isinstance(theirs, set | frozenset)
        assert ours and theirs and not ours & theirs, ours & theirs

    disjoint({s.id for s in example.severities}, {s.id for s in seed.severities})
    disjoint({s.label for s in example.severities}, {s.label for s in seed.severities})
    disjoint(set(signal_names(example)), set(signal_names(seed)))
    disjoint({p.path for p in example.probes}, {p.path for p in seed.probes})
    disjoint({p.id for p in example.probes}, {p.id for p in seed.probes})
    disjoint({r.id for r in example.rules}, {r.id for r in seed.rules})
    disjoint({b.id for b in example.decision_tree}, {b.id for b in seed.decision_tree})
    disjoint({b.title for b in example.decision_tree}, {b.title for b in seed.decision_tree})
    disjoint({w.file for w in example.workflows.values()}, {w.file for w in seed.workflows.values()})
    disjoint({c.id for c in example.resolution_checklist}, {c.id for c in seed.resolution_checklist})
    disjoint({s.id for s in example.postmortem.sections}, {s.id for s in seed.postmortem.sections})
    assert set(example.workflows) == set(seed.workflows) == {"deploy", "rollback", "smoke"}
    assert (example.url_env, example.admin_token_env) == ("SEARCH_API_URL", "SEARCH_STATS_TOKEN")
    assert {example.url_env, example.admin_token_env}.isdisjoint({seed.url_env, seed.admin_token_env})
    assert example.statuses != seed.statuses
    assert example.communication_template != seed.communication_template
    assert len(example.severities) != len(seed.severities)


def test_example_uses_the_whole_condition_language(example: Playbook) -> None:
    """The example has an `is unknown` rule, a consecutive `rising(...)` rule and a text comparison."""
    sources = {rule.id: rule.when.source for rule in example.rules}
    assert "is unknown" in sources["stats-unavailable"]
    trend = next(rule for rule in example.rules if rule.id == "indexer-lag-rising")
    assert trend.when.rising == frozenset({"indexer.lag_seconds"})
    assert trend.consecutive == 2
    assert sources["cluster-red"] == 'cluster_status == "red"'
    assert str(example.probe("index_errors").list_field) == "data.errors"


def test_example_validates_and_renders(capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI accepts the example and renders its queries and regexes into the runbook."""
    assert run(["playbook", "validate", str(MESSAGING_EXAMPLE)]) == 0
    assert "valid (4 probes, 12 rules, 3 branches)" in capsys.readouterr().out
    assert run(["playbook", "render", str(MESSAGING_EXAMPLE)]) == 0
    runbook = capsys.readouterr().out
    assert "`health_http is unknown`" in runbook
    assert "`rising(pending, 3)` (2× in a row)" in runbook
