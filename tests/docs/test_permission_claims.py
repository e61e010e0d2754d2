"""The permissions the documents say each workflow holds are the ones its jobs ask for.

Three places state them: the README's table, what ``init`` prints (``scaffold.PERMISSIONS``), and
prose such as "``incident-triage.yml`` and ``incident-alert.yml`` hold ``actions: read``" (or "the
triage and alert workflows hold ..."). Each is read here and held against the workflows' own
``permissions:`` (every job's but a call of another workflow, whose job states its own; ``contents:
read``, which every job holds to check out the action, aside).
"""

from __future__ import annotations

import re
from functools import cache

import pytest
import yaml

from ops_actions.scaffold import PERMISSIONS
from tests.support.paths import DOCS, PROJECT_WORKFLOWS, REPO_ROOT, WORKFLOWS_DIR

GRANT = re.compile(r"\b(?P<scope>[a-z][a-z-]*): (?P<level>read|write)\b")
_NAMED = r"`(?P<first>[\w-]+\.yml)`(?: and `(?P<second>[\w-]+\.yml)`)?"
_SHORT = r"the (?P<short1>[a-z-]+)(?: and (?P<short2>[a-z-]+))? workflows?"
CLAIM = re.compile(rf"(?:{_NAMED}|{_SHORT}) holds? `(?P<grant>[a-z-]+: (?:read|write))`")
README_ROW = re.compile(r"^\s*\| `(?P<file>[\w-]+\.yml)` \| (?P<grants>[^|]+) \|")


@cache
def held(workflow: str) -> frozenset[str]:
    """``scope: level`` for every permission a job of ``workflow`` asks for, but ``contents: read``."""
    data = yaml.safe_load((WORKFLOWS_DIR / workflow).read_text(encoding="utf-8"))
    grants = {
        f"{scope}: {level}"
        for job in data["jobs"].values()
        if "uses" not in job
        for scope, level in (job.get("permissions") or {}).items()
    }
    return frozenset(grants - {"contents: read"})


def grants_in(text: str) -> frozenset[str]:
    return frozenset(f"{m['scope']}: {m['level']}" for m in GRANT.finditer(text))


def test_the_readme_table_states_each_workflows_permissions() -> None:
    rows = {
        m["file"]: grants_in(m["grants"])
        for m in map(README_ROW.match, (REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines())
        if m
    }
    shipped = {path.name for path in WORKFLOWS_DIR.glob("*.yml")} - {
        *PROJECT_WORKFLOWS,
        "backend-live-smoke.yml",
    }
    assert set(rows) == shipped
    assert rows == {name: held(name) for name in rows}


def test_init_states_each_workflows_permissions() -> None:
    listed = {workflow: grants_in(f"{grants} {why}") for workflow, grants, why in PERMISSIONS}
    assert listed == {name: held(name) for name in listed}


@pytest.mark.parametrize("document", ["README.md", *sorted(p.name for p in DOCS.glob("*.md"))])
def test_what_the_prose_says_a_workflow_holds_it_holds(document: str) -> None:
    """The claim docs/reliability.md made, "the triage and alert workflows hold `actions: write`",
    fails here: they hold `actions: read`."""
    path = REPO_ROOT / document if document == "README.md" else DOCS / document
    for claim in CLAIM.finditer(path.read_text(encoding="utf-8")):
        named = [claim["first"], claim["second"]]
        short = [f"incident-{name}.yml" for name in (claim["short1"], claim["short2"]) if name]
        for workflow in filter(None, [*named, *short]):
            assert claim["grant"] in held(workflow), (
                f"{document}: {claim[0]!r}: {workflow} holds {sorted(held(workflow))}"
            )


def test_the_claims_are_found() -> None:
    """The reader above sees the sentence it guards (it would pass on a document it cannot read)."""
    text = (DOCS / "reliability.md").read_text(encoding="utf-8")
    found = [claim[0] for claim in CLAIM.finditer(text)]
    assert "`incident-triage.yml` and `incident-alert.yml` hold `actions: read`" in found
    assert CLAIM.search("the triage and alert workflows hold `actions: write`")
