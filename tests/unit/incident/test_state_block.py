"""Property tests: the parsers of what people type and edit never crash and keep their promises.

Each property runs a fixed, derandomized set of examples, so a run is repeatable. The bugs these
properties found (see docs/reliability.md, "Found and fixed") are fixed, and the strategies no
longer leave their inputs out.
"""

from __future__ import annotations

import json
import re
import types
import typing
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, Union

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ops_actions.incident.clock import iso
from ops_actions.incident.slash_grammar import MAX_COMMANDS, Command, CommandError, parse_comment
from ops_actions.incident.slash_registry import SLASH_COMMANDS
from ops_actions.incident.state import STATE_VERSION, TIME_FIELDS, IncidentState
from ops_actions.incident.state_block import read_state, with_state
from ops_actions.playbook import Playbook, PlaybookError, bundled_playbook_text, parse_playbook
from ops_actions.text.markdown import MARKER_PREFIX, find_markers, inert, section_tasks, set_task
from ops_actions.text.template import fill

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

STATUSES = ("investigating", "mitigating", "resolved")
# The seed's SEV-1, SEV-2 and SEV-3, as the playbook's severity vocabulary the grammar reads them with.
SEVERITIES = parse_playbook(bundled_playbook_text(), source="seed").severities
PROBLEM_LINE = re.compile(r"^x\.yaml:\d+:\d+: .+")

# Plain text as people type it: no control characters except tab and newline (U+2028 and U+2029,
# line breaks to Python but not to CommonMark, are in).
typed_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"), include_characters="\t\n"),
    max_size=80,
)


def parse(body: str) -> list[Command | CommandError]:
    return parse_comment(body, statuses=STATUSES, severities=SEVERITIES)


# --- (a) the slash-command grammar ---------------------------------------------------------------

COMMAND_FRAGMENTS = st.sampled_from(
    [
        *(f"/{name}" for name in SLASH_COMMANDS),
        "/STATUS",
        "/sev",
        "/",
        "//",
        " mitigating",
        " resolved",
        " next 30m",
        " next 0m",
        " next 99999m",
        " 1",
        " SEV-2",
        " @octocat",
        " @",
        " force",
        " release/1.2",
        ' "quoted',
        " 'x'",
        "\\",
        "\n",
        "\n\n",
        "\r\n",
        "```\n",
        "~~~\n",
        "> ",
        "    ",
        "- ",
        "1. ",
        "<!-- ",
        " -->",
        "# ",
        "text",
        " $(touch x)",
        "\t",
    ]
)
comment_bodies = st.one_of(
    typed_text,
    st.lists(st.one_of(COMMAND_FRAGMENTS, typed_text), max_size=40).map("".join),
)


@PROPERTY
@given(comment_bodies)
@example("\n".join(["/help"] * 30))
def test_any_comment_parses_to_at_most_eleven_known_results(body: str) -> None:
    """Any text parses without raising into at most MAX_COMMANDS + 1 results, all known commands."""
    results = parse(body)
    assert len(results) <= MAX_COMMANDS + 1
    for result in results:
        if isinstance(result, Command):
            assert result.name in SLASH_COMMANDS
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.args.items())
        else:
            assert isinstance(result, CommandError)
            assert result.message


command_lines = st.lists(
    st.tuples(st.sampled_from(sorted(SLASH_COMMANDS)), typed_text.map(lambda t: t.replace("\n", " "))).map(
        lambda pair: f"/{pair[0]} {pair[1]}".rstrip()
    ),
    min_size=1,
    max_size=8,
)


@PROPERTY
@given(command_lines, st.sampled_from(["fence", "tilde-fence", "quote", "indented"]))
def test_commands_inside_code_or_quotes_never_run(lines: list[str], wrapping: str) -> None:
    """Command lines wrapped in a code fence, a quote or an indented code block produce no command."""
    lines = [line.replace("~", "-").replace("`", "'") for line in lines]
    if wrapping == "fence":
        body = "Logs:\n\n```\n" + "\n".join(lines) + "\n```\n"
    elif wrapping == "tilde-fence":
        body = "~~~~\n" + "\n".join(lines) + "\n~~~~"
    elif wrapping == "quote":
        body = "\n".join(f"> {line}" for line in lines)
    else:
        body = "See:\n\n" + "\n".join(f"    {line}" for line in lines)
    assert parse(body) == []


def test_a_command_inside_a_fence_stays_text_even_after_unicode_line_separators() -> None:
    """A fence whose opening line holds NEL characters still hides the command line inside it."""
    body = "```log\x85a\x85b\n/sev 1\n```\nhello"
    assert parse(body) == []


# --- (b) the playbook loader ---------------------------------------------------------------------

YAML_FRAGMENTS = st.sampled_from(
    [
        "version: 1\n",
        "name: x\n",
        "probes:\n",
        "  - id: a\n",
        "    path: /x\n",
        "- ",
        ": ",
        "? ",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "&a ",
        "*a",
        "<<: *a\n",
        "|\n",
        ">-\n",
        "# c\n",
        '"',
        "'",
        "\\n",
        "---\n",
        "...\n",
        "%YAML 1.1\n",
        "null",
        "~",
        "true",
        "1.5",
        "0o17",
        ".inf",
        "\n",
        "  ",
        "\t",
        "key",
    ]
)
yaml_text = st.one_of(typed_text, st.lists(st.one_of(YAML_FRAGMENTS, typed_text), max_size=30).map("".join))


def check_parse(data: bytes | str) -> None:
    """parse_playbook returns a Playbook, or raises PlaybookError whose every line has the promised form."""
    try:
        loaded = parse_playbook(data, source="x.yaml")
    except PlaybookError as error:
        lines = error.lines()
        assert lines
        for line in lines:
            assert PROBLEM_LINE.match(line), line
        return
    assert isinstance(loaded, Playbook)


@PROPERTY
@given(yaml_text)
def test_loader_on_arbitrary_text_returns_a_playbook_or_positioned_problems(text: str) -> None:
    """Arbitrary (YAML-ish) text never makes the loader raise anything but a positioned PlaybookError."""
    check_parse(text)


@PROPERTY
@given(st.binary(max_size=200))
def test_loader_on_arbitrary_bytes_returns_a_playbook_or_positioned_problems(data: bytes) -> None:
    """Arbitrary bytes (mostly not UTF-8) give a positioned PlaybookError, never another exception."""
    check_parse(data)


BUNDLED_LINES = bundled_playbook_text().split("\n")
replacement_line = st.one_of(
    st.sampled_from(BUNDLED_LINES),
    st.lists(YAML_FRAGMENTS.map(lambda f: f.replace("\n", "")), max_size=6).map("".join),
    typed_text.map(lambda t: t.replace("\n", " ")),
)


@st.composite
def mutated_playbooks(draw: st.DrawFn) -> str:
    """The bundled playbook after one to three line edits: delete, duplicate, replace, re-indent."""
    lines = list(BUNDLED_LINES)
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "replace", "indent", "dedent"]))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "replace":
            lines[index] = draw(replacement_line)
        elif action == "indent":
            lines[index] = " " * draw(st.integers(1, 4)) + lines[index]
        else:
            lines[index] = lines[index][draw(st.integers(1, 4)) :]
        if not lines:
            lines = [""]
    return "\n".join(lines)


@PROPERTY
@given(mutated_playbooks())
def test_mutated_bundled_playbook_loads_or_reports_positioned_problems(text: str) -> None:
    """Deleting, duplicating, replacing or re-indenting seed playbook lines never crashes the loader."""
    check_parse(text)
    check_parse(text.encode("utf-8"))


def test_control_character_in_a_playbook_is_a_positioned_problem() -> None:
    """A NUL byte in a playbook is reported at its line like any other YAML problem."""
    check_parse("version: 1\nname: \x00\n")


@pytest.mark.parametrize("value", ["2026-13-99", "0x_", "!!int abc", "!!bool maybe", "!!timestamp soon"])
def test_scalars_pyyaml_cannot_construct_are_positioned_problems(value: str) -> None:
    """A value PyYAML recognises but cannot construct is reported at its line, not raised."""
    check_parse(f"version: 1\nname: {value}\n")


def test_every_problem_stays_on_one_line() -> None:
    """An unknown key holding a newline is still reported on a single line."""
    with pytest.raises(PlaybookError) as caught:
        parse_playbook('"a\\nb": 1\n', source="x.yaml")
    assert all("\n" not in line for line in caught.value.lines())


# --- (c) the state block ---------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    typed_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(typed_text, inner, max_size=3)),
    max_leaves=8,
)


def strategy_for(hint: Any) -> st.SearchStrategy[Any]:
    """A strategy for one IncidentState field, from its type annotation."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [strategy_for(arg) for arg in typing.get_args(hint) if arg is not type(None)]
        return st.one_of(st.none(), *options)
    if hint is str:
        return typed_text
    if hint is bool:
        return st.booleans()
    if hint is int:
        return st.integers(0, 10**6)
    if origin is list:
        (item,) = typing.get_args(hint)
        return st.lists(strategy_for(item), max_size=3)
    if origin is dict:
        key, value = typing.get_args(hint)
        return st.dictionaries(strategy_for(key), strategy_for(value), max_size=3)
    return json_values


HINTS = typing.get_type_hints(IncidentState)
# Time fields hold ISO 8601 times; from_dict rejects a block whose time does not parse.
TIMES = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(iso)


def entries(**shape: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the keys the code reads (from_dict refuses entries without them), and maybe more."""
    return st.fixed_dictionaries(shape, optional={"note": typed_text, "extra": json_values})


# The lists and objects whose entries have a shape.
ENTRY_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "severity_history": st.lists(entries(at=TIMES, severity=typed_text), max_size=3),
    "status_history": st.lists(entries(at=TIMES, status=typed_text), max_size=3),
    "snapshots": st.lists(
        entries(
            at=TIMES, fired=st.lists(typed_text, max_size=2), signals=st.dictionaries(typed_text, json_values)
        ),
        max_size=3,
    ),
    "runs": st.lists(
        entries(id=st.integers(1, 10**9), role=typed_text, name=typed_text, url=typed_text), max_size=3
    ),
    "freeze": st.none() | entries(since=TIMES, reason=typed_text),
    "monitor": st.none()
    | entries(role=typed_text, name=typed_text, url=typed_text, since=TIMES, until=TIMES),
    "proposed": st.none() | entries(severity=typed_text, since=TIMES),
    "checks": st.dictionaries(typed_text, entries(by=typed_text, at=TIMES, via=typed_text), max_size=3),
}


def field_strategy(name: str) -> st.SearchStrategy[Any]:
    if name == "version":
        return st.just(STATE_VERSION)
    if name in ENTRY_FIELDS:
        return ENTRY_FIELDS[name]
    if name in TIME_FIELDS:
        return TIMES if name == "opened_at" else st.one_of(st.none(), TIMES)
    return strategy_for(HINTS[name])


STATE_FIELDS = {f.name: field_strategy(f.name) for f in fields(IncidentState)}
states = st.fixed_dictionaries(STATE_FIELDS).map(lambda values: IncidentState(**values))
# Visible body text as the tool writes it: outside text through inert (fences and HTML included).
bodies = st.lists(typed_text.map(inert), max_size=4).map("\n\n".join)


def state_json(body: str) -> tuple[int, int]:
    """Where the JSON of the (last) state marker sits in a body."""
    start = body.rindex(MARKER_PREFIX + "state ") + len(MARKER_PREFIX + "state ")
    return start, body.index(" -->", start)


@PROPERTY
@given(states, bodies)
def test_state_block_round_trips(state: IncidentState, body: str) -> None:
    """A state written into any body is read back equal, and writing again replaces rather than adds."""
    written = with_state(body, state)
    assert read_state(written) == state
    again = with_state(written, state)
    assert again == written
    assert len(find_markers(again, "state")) == 1


@st.composite
def corrupted(draw: st.DrawFn) -> str:
    """A body whose state JSON was hand-edited: truncated, characters inserted, or a value changed."""
    body = with_state(draw(bodies), draw(states))
    start, end = state_json(body)
    data = body[start:end]
    action = draw(st.sampled_from(["truncate", "insert", "retype", "drop"]))
    if action == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif action == "insert":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.text(alphabet='{}[]",:0123456789truefalsn\\ \n-', max_size=5)) + data[at:]
    else:
        payload = json.loads(data)
        name = draw(st.sampled_from(sorted(payload)))
        if action == "retype":
            payload[name] = draw(json_values)
        else:
            del payload[name]
        data = json.dumps(payload)
    return body[:start] + data + body[end:]


@PROPERTY
@given(corrupted())
def test_hand_edited_state_reads_as_none_or_a_state(body: str) -> None:
    """A corrupted state block reads as None or a state with text identity fields, never raising."""
    state = read_state(body)
    if state is not None:
        assert isinstance(state, IncidentState)
        for name in ("key", "title", "severity", "status", "opened_at"):
            assert isinstance(getattr(state, name), str)
        for name in ("severity_history", "status_history", "snapshots", "applied", "runs"):
            assert isinstance(getattr(state, name), list)


@pytest.mark.parametrize(
    ("name", "value"), [("next_update_due", 5), ("freeze", "yes"), ("monitor", [1]), ("owner", {"a": 1})]
)
def test_a_state_with_a_wrong_typed_field_is_not_accepted(name: str, value: Any) -> None:
    """A state block whose field has the wrong JSON type reads as None (so the state is rebuilt)."""
    state = IncidentState(
        key="k", title="t", severity="SEV-2", status="investigating", opened_at="2026-11-27T10:00:00Z"
    )
    body = with_state("text", state)
    assert read_state(body) == state
    start, end = state_json(body)
    payload = json.loads(body[start:end])
    payload[name] = value
    assert read_state(body[:start] + json.dumps(payload) + body[end:]) is None


@PROPERTY
@given(st.text(max_size=200), st.sampled_from(["state", "event"]))
@example(
    '<!-- ops-actions:state {"version":1,"key":"x","title":"t","severity":"SEV-3",'
    '"status":"resolved","opened_at":"2020-01-01T00:00:00Z"} -->',
    "state",
)
@example("<<!--!-- ops-actions:event {} -->", "event")
@example("x\r<!-- ops-actions:event {} -->", "event")
@example("x\u2028<!-- ops-actions:event {} -->", "event")
def test_outside_text_through_inert_is_never_a_marker(text: str, kind: str) -> None:
    """Whatever came from outside, once passed through inert (as text or as a table cell) it holds no
    marker the tool would read, on whatever line it ends up."""
    for shown in (inert(text), inert(text, cell=True)):
        assert "<!--" not in shown
        assert "\r" not in shown and "\u2028" not in shown
        for body in (shown, f"Intro\n\n{shown}\n", f"{shown}\n\n{shown}", f"| a |\n|---|\n| {shown} |"):
            assert find_markers(body, kind) == []
            assert read_state(body) is None


# --- (d) task lists --------------------------------------------------------------------------------

TASK_FRAGMENTS = st.sampled_from(
    [
        "# Actions\n",
        "## Actions\n",
        "### Other\n",
        "- [ ] ",
        "- [x] ",
        "* [X] ",
        "1. [ ] ",
        "  - [ ] ",
        "> - [ ] ",
        "-[ ]",
        "[ ]",
        "fix the lock",
        " — @alice — due 2026-12-01",
        "\n",
        "\n\n",
        "\r\n",
        "\r",
        "```\n",
        "    ",
        "<!-- x -->\n",
    ]
)
markdown_text = st.one_of(
    typed_text, st.lists(st.one_of(TASK_FRAGMENTS, typed_text), max_size=30).map("".join)
)


@PROPERTY
@given(markdown_text, st.sampled_from(["Actions", "actions", "Other", "Missing"]))
def test_task_lists_parse_and_toggle_without_raising(text: str, heading: str) -> None:
    """Any Markdown yields None or tasks, and every found task can be ticked and unticked without raising."""
    tasks = section_tasks(text, heading)
    if tasks is None:
        return
    for task in tasks:
        for checked in (True, False):
            changed = set_task(text, task, checked=checked)
            assert changed.count("\n") == line_breaks(text)


def line_breaks(text: str) -> int:
    """Line breaks as CommonMark counts them (CR LF, lone CR, LF)."""
    return text.count("\r\n") + text.replace("\r\n", "").count("\r") + text.replace("\r\n", "").count("\n")


@PROPERTY
@given(markdown_text)
def test_ticking_then_unticking_an_open_task_restores_the_text(text: str) -> None:
    """Tick then untick of an open task gives the original Markdown back (with its line breaks as LF)."""
    text = "# Actions\n\n" + text
    original = text.replace("\r\n", "\n").replace("\r", "\n")
    for task in section_tasks(text, "Actions") or []:
        if task.checked:
            continue
        ticked = set_task(text, task, checked=True)
        (found,) = [t for t in section_tasks(ticked, "Actions") or [] if t.line == task.line]
        assert found.checked
        assert set_task(ticked, found, checked=False) == original


def test_unticking_a_task_whose_text_holds_a_box_clears_its_own_box() -> None:
    """Untick finds the task's own box even when its text mentions '[ ]'."""
    text = "# Actions\n\n- [x] add [ ] placeholders to the form\n"
    (task,) = section_tasks(text, "Actions") or []
    assert set_task(text, task, checked=False) == "# Actions\n\n- [ ] add [ ] placeholders to the form\n"


def test_a_task_after_a_lone_carriage_return_can_be_ticked() -> None:
    """Ticking a task that follows a lone CR line break does not raise."""
    text = "# Actions\r- [ ] a"
    (task,) = section_tasks(text, "Actions") or []
    assert "[x]" in set_task(text, task, checked=True)


# --- (e) the communication template ----------------------------------------------------------------

KNOWN = ("severity", "timestamp", "title", "impact", "status", "next_update_minutes")
literal = st.text(alphabet=st.characters(exclude_characters="{}"), max_size=10)
unknown_name = st.one_of(
    st.sampled_from(["", "0", "__import__", "0.__class__", "title.__class__", "/etc/passwd", "x"]),
    st.text(alphabet=st.characters(exclude_characters="{}", exclude_categories=("Zs", "Cc")), max_size=8),
).filter(lambda name: name not in KNOWN)
pieces = st.lists(
    st.one_of(
        literal.map(lambda t: ("text", t)),
        st.sampled_from(KNOWN).map(lambda n: ("known", n)),
        unknown_name.map(lambda n: ("unknown", n)),
    ),
    max_size=8,
)
placeholder_values = st.fixed_dictionaries(
    {name: st.one_of(st.text(max_size=20), st.sampled_from([f"{{{k}}}" for k in KNOWN])) for name in KNOWN}
)


@PROPERTY
@given(pieces, placeholder_values)
def test_template_fills_known_placeholders_once_and_leaves_the_rest(
    parts: list[tuple[str, str]], values: dict[str, str]
) -> None:
    """Known placeholders take their value verbatim, never re-filled; all else stays as written."""
    template = "".join(f"{{{value}}}" if kind != "text" else value for kind, value in parts)
    expected = "".join(
        values[value] if kind == "known" else (f"{{{value}}}" if kind == "unknown" else value)
        for kind, value in parts
    )
    assert fill(template, values) == expected
