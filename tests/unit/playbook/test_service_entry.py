"""Adding a service inserts its entry into the playbook's text: every other byte stays (comments,
blank lines, line ends), and a result the loader refuses is never returned."""

from __future__ import annotations

import difflib

import pytest

from ops_actions.errors import OpsError
from ops_actions.playbook import PlaybookError, bundled_playbook_text
from ops_actions.playbook.service_entry import add_service, service_name, with_service

SEED = bundled_playbook_text()


def inserted(before: str, after: str) -> list[str]:
    """The lines ``after`` adds to ``before``, or AssertionError if it removes or changes any."""
    ops = difflib.SequenceMatcher(a=before.splitlines(True), b=after.splitlines(True), autojunk=False)
    changes = [op for op in ops.get_opcodes() if op[0] != "equal"]
    assert [op[0] for op in changes] == ["insert"], changes
    (_, _, _, start, end) = changes[0]
    return after.splitlines(True)[start:end]


def test_a_playbook_without_services_gets_the_list_after_its_scope_and_nothing_else_moves() -> None:
    added = add_service(SEED, source="playbook.yaml", service_id="api", name="Billing API")
    assert added.created_list
    assert inserted(SEED, added.text) == [
        "\n",
        "services:\n",
        "  - id: api\n",
        '    name: "Billing API"\n',
        "    environment: ops-api  # holds its OPS_BACKEND_URL and OPS_BACKEND_ADMIN_TOKEN\n",
        '    # owners: {team: "@octo-org/api-oncall"}  # who its escalations mention\n',
    ]
    assert added.text.index("services:") < added.text.index("\nseverities:")
    assert added.text.index("components: [auth") < added.text.index("services:")
    (service,) = added.playbook.services
    assert (service.id, service.name, service.environment, service.team) == (
        "api",
        "Billing API",
        "ops-api",
        None,
    )
    view = added.playbook.for_service("api")
    assert (view.url_env, view.admin_token_env) == ("OPS_BACKEND_URL", "OPS_BACKEND_ADMIN_TOKEN"), "inherited"
    assert [probe.id for probe in view.probes] == [probe.id for probe in added.playbook.probes]


def test_a_second_service_goes_after_the_last_entry_and_its_indented_comments() -> None:
    first = add_service(SEED, source="playbook.yaml", service_id="api").text
    second = add_service(first, source="playbook.yaml", service_id="job-worker")
    assert not second.created_list
    lines = inserted(first, second.text)
    assert lines[:2] == ["  - id: job-worker\n", '    name: "Job worker"\n']
    assert second.text.index("api-oncall") < second.text.index("- id: job-worker"), "api's comment stays"
    assert [s.id for s in second.playbook.services] == ["api", "job-worker"]


def test_the_entry_follows_the_lists_own_indentation_comments_and_line_ends() -> None:
    playbook = (
        "version: 1\r\n"
        "services:   # ours\r\n"
        "- id: api\r\n"
        "  name: API\r\n"
        "  # the payments team owns it\r\n"
        "\r\n"
        "# the next key's own comment\r\n"
        "severities: []"
    )
    text = with_service(playbook, "search", "Search: the API #2")
    assert text.startswith(playbook[: playbook.index("\r\n\r\n# the next")])
    assert "  # the payments team owns it\r\n- id: search\r\n" in text
    assert '  name: "Search: the API #2"\r\n' in text
    assert text.endswith("\r\n\r\n# the next key's own comment\r\nseverities: []\r\n")
    assert "\n" not in text.replace("\r\n", "")


def test_a_list_written_on_one_line_is_refused() -> None:
    with pytest.raises(OpsError, match=r"services: at line 2 is written on one line \(flow style\)"):
        with_service("version: 1\nservices: [{id: api, name: API}]\n", "search", "Search")


@pytest.mark.parametrize(
    ("service_id", "message"),
    [
        ("Api", "service id 'Api': use lower-case letters"),
        ("api--v2", "service id 'api--v2'"),
        ("a" * 41, "at most 40 characters"),
    ],
)
def test_an_invalid_id_is_refused_with_the_form_to_use(service_id: str, message: str) -> None:
    with pytest.raises(OpsError, match=message):
        add_service(SEED, source="playbook.yaml", service_id=service_id)


def test_an_id_the_playbook_has_is_refused() -> None:
    text = add_service(SEED, source="playbook.yaml", service_id="api").text
    with pytest.raises(
        OpsError, match=r"playbook\.yaml: the playbook already has service 'api'; nothing written"
    ):
        add_service(text, source="playbook.yaml", service_id="api")


def test_a_result_the_loader_refuses_is_never_returned() -> None:
    """A name past the schema's 2,000 characters: the loader says where, in the text to be written."""
    with pytest.raises(PlaybookError, match=r"playbook.yaml:15:11: 'x+\.\.\. \(at services\.0\.name\)"):
        add_service(SEED, source="playbook.yaml", service_id="api", name="x" * 2001)


def test_a_service_without_a_name_is_called_after_its_id() -> None:
    assert service_name("job-worker") == "Job worker"
    assert service_name("api") == "Api"
