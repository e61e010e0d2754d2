"""Properties of the communication template (ops_actions/text/template.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ops_actions.text.template import fill
from tests.support.strategies import PROPERTY

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
