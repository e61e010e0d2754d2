"""Properties of the playbook loader (ops_actions/playbook/loader.py): any text or bytes give a playbook or
positioned one-line problems."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ops_actions.playbook import Playbook, PlaybookError, bundled_playbook_text, parse_playbook
from tests.support.strategies import PROPERTY, typed_text

PROBLEM_LINE = re.compile(r"^x\.yaml:\d+:\d+: .+")


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


def test_a_typo_in_a_key_or_a_status_is_an_error_that_names_the_word_meant() -> None:
    text = bundled_playbook_text()
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(text.replace("\nprobes:", "\nprobess:", 1), source="x.yaml")
    assert "unknown key 'probess'; did you mean 'probes'?" in refused.value.lines()[0]
    seed = "statuses: [investigating, mitigating, resolved]"
    assert seed in text
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(text.replace(seed, "statuses: [investigating, mitigatng, resolved]"), source="x.yaml")
    line = text.splitlines().index(seed) + 1
    assert refused.value.lines() == [
        f"x.yaml:{line}:27: status 'mitigatng' looks like a typo: did you mean 'mitigating'? (at statuses.1)"
    ]
    # A status of the team's own, far from every known one, is theirs to have.
    parse_playbook(
        text.replace(seed, "statuses: [investigating, mitigating, watching, resolved]"), source="x.yaml"
    )
