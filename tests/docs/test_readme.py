"""The README is what a newcomer reads: its sections in order, within 250 lines, the generated
references current in docs/, and its "Drive an incident by hand" section run line by line."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from ops_actions.docs import GENERATED
from tests.support.net import free_port
from tests.support.paths import REPO_ROOT
from tests.support.processes import finished

SECTIONS = [
    "Two commands",
    "Install in your repository",
    "Drive an incident by hand",
    "Configuration",
    "Exit codes",
    "More",
]


def sections(text: str) -> dict[str, str]:
    return {part.split("\n", 1)[0]: part for part in re.split(r"(?m)^## ", text)[1:]}


def test_the_readme_is_short_and_in_the_newcomers_order() -> None:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    assert list(sections(text)) == SECTIONS
    first = sections(text)["Two commands"]
    assert "make demo" in first and "make test" in first
    assert "GENERATED" not in text, "the references live in docs/"
    for document in GENERATED:
        assert f"]({document})" in text, document


# -- the "by hand" section, run ------------------------------------------------------------------


def steps() -> list[str]:
    """The section's shell lines, in order (comments and blank lines left out)."""
    section = sections((REPO_ROOT / "README.md").read_text(encoding="utf-8"))["Drive an incident by hand"]
    lines = [
        line for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL) for line in block.splitlines()
    ]
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def expected_exit(line: str) -> int:
    """0, or the code the line's comment announces (`# exit 6: ...`)."""
    match = re.search(r"#\s*exit (\d+)", line)
    return int(match.group(1)) if match else 0


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_by_hand_section_runs_as_written(tmp_path: Path) -> None:
    """Every line of it, in a shell, from a folder with the repository's playbook: the servers start,
    each command exits as the README says, and GitHub ends holding the resolved incident and its
    postmortem. The ports are the only change (free ones instead of 8080 and 8765)."""
    ports = {"8080": str(free_port()), "8765": str(free_port())}
    shutil.copy(REPO_ROOT / "playbook.yaml", tmp_path / "playbook.yaml")
    env: dict[str, str] = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "PYTHONUTF8": "1",
    }
    servers: list[subprocess.Popen[str]] = []
    ran: list[tuple[str, int]] = []
    try:
        for written in steps():
            # One pass: a free port that happens to contain "8765" must not be rewritten again.
            line = re.sub("|".join(ports), lambda found: ports[found.group(0)], written)
            command = line.split(" #", 1)[0].strip()
            if command.startswith("export "):
                env.update(dict(word.split("=", 1) for word in shlex.split(command)[1:]))
            elif command.endswith("&"):
                server = subprocess.Popen(
                    ["sh", "-c", "exec " + command.removesuffix("&")],
                    cwd=tmp_path,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
                servers.append(server)
                assert server.stdout is not None
                assert "Ctrl-C stops it" in server.stdout.readline(), command
            else:
                done = finished(["sh", "-c", command], cwd=tmp_path, env=env)
                assert "Traceback" not in done.stderr, command
                assert done.returncode == expected_exit(line), f"{command}\n{done.stdout}\n{done.stderr}"
                ran.append((command.split()[0] + " " + command.split()[1], done.returncode))
                if command.startswith("curl") and "/issues" in command:
                    json.loads(done.stdout)
        state: dict[str, Any] = httpx.get(f"http://127.0.0.1:{ports['8765']}/_emulator/state").json()
    finally:
        for server in servers:
            server.terminate()
            server.communicate(timeout=10)
    assert [code for _, code in ran if code] == [5, 6], "triage --fail-on and the refused resolve"
    incident, postmortem = state["issues"]
    assert incident["state"] == "closed" and incident["title"].startswith("[SEV-2] ")
    assert "### Branch B: Queue growing or worker down" in incident["body"]
    timeline = "\n".join(comment["body"] for comment in state["comments"]["1"])
    for entry in (
        "**Owner** @alice",
        "Current status: mitigating. Next update in 15 min.",
        "**Backend Deploy** dispatched by @alice",
        "**Backend Deploy** concluded: **success**",
        "**Backend Live Smoke** concluded: **success**",
        "**Resolved with an override**: rehearsal: not waiting 15 minutes",
    ):
        assert entry in timeline, entry
    assert postmortem["title"].startswith("Postmortem: [SEV-2]")
