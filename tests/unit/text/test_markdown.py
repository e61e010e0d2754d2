"""Properties of task lists (ops_actions/text/markdown.py): parsing and toggling never raise."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ops_actions.text.markdown import encode_marker, in_tool_form, section_tasks, set_task
from tests.support.strategies import PROPERTY, typed_text

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


def test_only_a_comment_with_one_marker_alone_at_its_end_is_in_the_tools_form() -> None:
    """The tool's comments end with their one marker; a quote of one with a footer, a second marker,
    or a marker inside a list item is not the tool's form."""
    marker = encode_marker("event", {"key": "k"})
    assert in_tool_form(f"**Status update**: ok\n\n{marker}\n")
    assert not in_tool_form(f"Thanks! You wrote:\n\n{marker}\n\n---\n_Automated reply._\n")
    assert not in_tool_form(f"{marker}\n\nok\n\n{marker}\n")
    assert not in_tool_form(f"- quoted\n\n  {marker}\n")
    assert not in_tool_form("Duplicate of #3.")
