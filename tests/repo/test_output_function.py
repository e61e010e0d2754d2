"""The package prints only through its output function (a rule over ops_actions/'s source)."""

from __future__ import annotations

import ast

from tests.support.paths import PACKAGE


def test_nothing_prints_but_the_output_function() -> None:
    """No module writes to stdout or stderr itself (print, click.echo, sys.stdout.write): every line goes
    through actions_runtime.Output, which redacts and neutralises it. The sandbox, a stand-in, is apart."""
    package = PACKAGE
    printers = {"print", "echo", "secho"}
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        # The output function itself; and the cache-key script action.yml runs before the package is
        # installed (it prints one key of its own making).
        if relative.startswith("sandbox/") or relative in {
            "adapters/actions_runtime.py",
            "action_cache_key.py",
        }:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            owner = ast.unparse(node.func.value) if isinstance(node.func, ast.Attribute) else ""
            if name in printers or (name == "write" and owner in {"sys.stdout", "sys.stderr"}):
                found.append(f"{relative}:{node.lineno}")
    assert found == []
