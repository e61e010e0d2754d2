"""The package's floors: lower ones never import higher ones (docs/architecture.md draws the map).

Every import counts, the deferred ones inside functions too, because a deferred import is still
an arrow between floors. The rules are read from the source with ``ast``, so the test needs
nothing installed but the package itself.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ops_actions.playbook import bundled_playbook_text
from tests.support.paths import PACKAGE

# The floors from the bottom up; a floor may import its own and the ones below it.
CORE_FLOORS = ("text", "playbook", "incident")
TOP = (
    "ops_actions.cli",
    "ops_actions.demo",
    "ops_actions.services_demo",
    "ops_actions.rehearsal",
    "ops_actions.scaffold",
    "ops_actions.docs",
)
IO_LIBRARIES = ("httpx", "github", "click")
# The one package that imports PyGithub (the package's modules included).
PYGITHUB_HOME = "ops_actions.adapters.github_tracker"

# What no floor of the core may import: every floor above it, and I/O.
ABOVE_THE_CORE = (
    "ops_actions.triage",
    "ops_actions.status_page",
    "ops_actions.adapters",
    "ops_actions.flows",
    "ops_actions.sandbox",
    *TOP,
    *IO_LIBRARIES,
)

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "text": (
        "ops_actions.playbook",
        "ops_actions.incident",
        *ABOVE_THE_CORE,
    ),
    "playbook": (
        "ops_actions.incident",
        *ABOVE_THE_CORE,
    ),
    "incident": (*ABOVE_THE_CORE,),
    # triage, status_page and adapters share a floor: none imports another.
    "triage": (
        "ops_actions.status_page",
        "ops_actions.adapters",
        "ops_actions.flows",
        "ops_actions.sandbox",
        *TOP,
        "github",
        "click",
    ),
    "status_page": (
        "ops_actions.triage",
        "ops_actions.adapters",
        "ops_actions.flows",
        "ops_actions.sandbox",
        *TOP,
        *IO_LIBRARIES,
    ),
    "adapters": (
        "ops_actions.triage",
        "ops_actions.status_page",
        "ops_actions.flows",
        "ops_actions.sandbox",
        *TOP,
        "click",
    ),
    "flows": ("ops_actions.sandbox", *TOP, "click"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path) -> set[str]:
    """Every module an ``import`` or ``from ... import`` in the file names (relative ones resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            names.add(origin)
            # ``from ops_actions import sandbox`` imports the submodule by name.
            names.update(f"{origin}.{alias.name}" for alias in node.names)
    return names


def matches(name: str, forbidden: str) -> bool:
    return name == forbidden or name.startswith(forbidden + ".")


MODULES = sorted(PACKAGE.rglob("*.py"))


def floor_of(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else None


def violations(path: Path) -> list[str]:
    floor = floor_of(path)
    rules = FORBIDDEN.get(floor or "", ())
    found = []
    for name in sorted(imported_names(path)):
        found += [f"{module_name(path)} imports {name}" for rule in rules if matches(name, rule)]
        on_top = any(matches(module_name(path), top) for top in TOP)  # the cli package's modules too
        if matches(name, "ops_actions.sandbox") and floor != "sandbox" and not on_top:
            found.append(f"{module_name(path)} imports {name}: only tests, demo and cli use the sandbox")
        if matches(name, "github") and not matches(module_name(path), PYGITHUB_HOME):
            found.append(f"{module_name(path)} imports PyGithub: only {PYGITHUB_HOME} and its modules may")
    return sorted(set(found))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_nothing_above_its_floor(path: Path) -> None:
    assert violations(path) == []


def test_the_rules_see_an_io_import_added_to_the_core(tmp_path: Path) -> None:
    """The checker itself: a core module that imports httpx, even deferred, is a violation."""
    state = PACKAGE / "incident" / "state.py"
    assert violations(state) == []
    tree = ast.parse(state.read_text(encoding="utf-8"))
    tree.body.append(ast.parse("def probe():\n    import httpx\n").body[0])
    spoiled = PACKAGE / "incident" / "_spoiled_for_test.py"
    try:
        spoiled.write_text(ast.unparse(tree), encoding="utf-8")
        assert violations(spoiled) == ["ops_actions.incident._spoiled_for_test imports httpx"]
    finally:
        spoiled.unlink()


def test_every_subpackage_says_what_lives_there_and_what_it_may_import() -> None:
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert len(doc) > 200, f"{init.relative_to(PACKAGE)} needs a docstring with the floor's map"
        assert "import" in doc, f"{init.relative_to(PACKAGE)} should say what it may import"


def loaded_by(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a fresh interpreter holds after running ``code`` (its output is dropped)."""
    probe = f"import io, sys, contextlib\nwith contextlib.redirect_stdout(io.StringIO()):\n    {code}\n"
    probe += "print(' '.join(sys.modules))"
    environ = {**os.environ, **(env or {})}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=environ
    )
    return set(done.stdout.split())


# What the commands load only when they need it: validation, YAML, queries, Markdown, HTTP, GitHub.
HEAVY = frozenset({"jsonschema", "yaml", "jmespath", "markdown_it", "httpx", "requests", "github", "http"})


def test_the_cli_loads_nothing_heavy_at_import() -> None:
    """``ops-actions --help`` pays for Click and the command table only: no playbook loader, no
    jsonschema, httpx, PyGithub or a server; of the package, the cli modules, the errors and the
    scenario names."""
    loaded = loaded_by("import ops_actions.cli")
    assert {m for m in loaded if m.split(".")[0] in HEAVY} == set()
    cli_modules = {module_name(path) for path in (PACKAGE / "cli").glob("*.py")}
    assert {m for m in loaded if matches(m, "ops_actions.cli")} == cli_modules
    assert {m for m in loaded if m.startswith("ops_actions") and not matches(m, "ops_actions.cli")} == {
        "ops_actions",
        "ops_actions.errors",
        "ops_actions.sandbox",
        "ops_actions.sandbox.catalog",
    }


def test_jsonschema_loads_only_for_a_playbook_text_not_checked_before(tmp_path: Path) -> None:
    """The schema check runs once per playbook text (and schema): `playbook validate` of the same
    text again loads no jsonschema; an edited text is checked again; an invalid one every time."""
    env = {"OPS_ACTIONS_CACHE_DIR": str(tmp_path / "cache")}
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text(bundled_playbook_text(), encoding="utf-8")
    validate = f"assert run(['playbook', 'validate', {str(playbook)!r}]) == {{code}}"
    prelude = "from ops_actions.cli import run; "
    assert "jsonschema" in loaded_by(prelude + validate.format(code=0), env)
    assert "jsonschema" not in loaded_by(prelude + validate.format(code=0), env)
    playbook.write_text(bundled_playbook_text() + "# edited\n", encoding="utf-8")
    assert "jsonschema" in loaded_by(prelude + validate.format(code=0), env)
    assert "jsonschema" not in loaded_by(prelude + validate.format(code=0), env)
    playbook.write_text(bundled_playbook_text().replace("version: 1", "version: one", 1), encoding="utf-8")
    for _ in range(2):
        assert "jsonschema" in loaded_by(prelude + validate.format(code=2), env)


def test_the_tracker_loads_pygithub_without_cryptography() -> None:
    """PyGithub loads without cryptography (PyJWT's RSA keys, for GitHub App JWTs the tracker never
    makes), and cryptography stays importable for whoever needs it afterwards."""
    loaded = loaded_by("import ops_actions.adapters.github_tracker")
    assert "github" in loaded
    assert {m for m in loaded if m.split(".")[0] == "cryptography"} == set()
    assert "cryptography.x509" in loaded_by("import ops_actions.adapters.github_tracker, cryptography.x509")
