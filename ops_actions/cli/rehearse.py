"""``ops-actions rehearse``: scenarios played offline against the team's playbook (the rehearsal
itself is :mod:`ops_actions.rehearsal`)."""

from __future__ import annotations

from pathlib import Path

import click

from ops_actions.cli.options import playbook_option
from ops_actions.cli.root import loaded_playbook, run_output, say
from ops_actions.errors import ExitCode, OpsError


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@playbook_option
@click.option(
    "--report",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the Markdown report (a table per scenario, fit for a job summary) to this file.",
)
def rehearse(scenarios: tuple[Path, ...], playbook_path: Path | None, report: Path | None) -> int:
    """Play game-day scenarios offline and check what the playbook does.

    Each SCENARIO (a YAML file, or a folder of them) gives the backend's state and what people do,
    by minute, and what is expected (severity at a minute, branches, incidents, dispatches,
    /resolve refused then accepted, the postmortem, notifications). The playbook's own watch and
    slash commands run against the sandbox backend and the GitHub emulator on 127.0.0.1, on a
    simulated clock: an hour of incident takes seconds, nothing is written outside a temporary
    folder and no network is called. Prints each scenario's timeline and each expectation PASS or
    FAIL; the Markdown report goes to the job summary (inside Actions) and to --report.

    Every scenario is checked (its schema, and the workflows, checklist items, notification
    targets, severities and signals it names against the playbook) before any is played.

    Exit codes: 0 every expectation passed, 1 an expectation failed (or an internal error), 2 a bad
    scenario, option or playbook.

    \b
    Example:
      ops-actions rehearse rehearsals/
      ops-actions rehearse rehearsals/branch-d-database-down.yaml --report rehearsal.md
    """
    import tempfile

    from ops_actions.playbook import read_playbook_source
    from ops_actions.rehearsal.play import play
    from ops_actions.rehearsal.scenario import read_scenario, scenario_files
    from ops_actions.rehearsal.verdict import judged, verdict_lines, verdicts_markdown

    if report is not None and not report.parent.is_dir():
        raise OpsError(f"--report: no folder {report.parent} to write {report.name} in", ExitCode.USAGE)
    loaded = loaded_playbook(playbook_path)
    _, data = read_playbook_source(playbook_path)
    files = scenario_files(scenarios)
    parsed = [read_scenario(path, loaded.playbook) for path in files]
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="ops-actions-rehearsal-") as folder:
        playbook_file = Path(folder) / "playbook.yaml"
        playbook_file.write_bytes(data)
        for index, scenario in enumerate(parsed, start=1):
            workdir = Path(folder) / f"scenario-{index}"
            workdir.mkdir()
            verdict = judged(
                scenario,
                play(scenario, loaded.playbook, playbook_file=playbook_file, workdir=workdir),
                loaded.playbook,
            )
            for line in verdict_lines(verdict):
                say(line)
            verdicts.append(verdict)
    markdown = verdicts_markdown(verdicts)
    if report is not None:
        report.write_text(run_output().secrets.redact(markdown), encoding="utf-8")
    run_output().summary(markdown)
    failed = [verdict for verdict in verdicts if not verdict.passed]
    say(f"{len(verdicts) - len(failed)} of {len(verdicts)} scenarios passed")
    return int(ExitCode.EXPECTATION_FAILED if failed else ExitCode.OK)
