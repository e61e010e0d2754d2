"""Probe queries (ops_actions/playbook/queries.py): what compiles, and to which text."""

from __future__ import annotations

import re

import pytest

from ops_actions.playbook.queries import QueryError, compile_query


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("db_ok.", "ends too early"),
        ("items[?state=='failed'", "ends too early"),
        ("a..b", "unexpected '.'"),
        ("lenght(items)", "unknown function lenght()"),
        ("length(items, other)", "length() takes 1 argument(s), not 2"),
        ("merge()", "takes at least 1 argument(s), not 0"),
        ("items[?state==`failed`]", "must be JSON"),
    ],
)
def test_a_query_that_would_fail_later_is_refused_when_it_compiles(query: str, message: str) -> None:
    """Syntax, unknown functions, argument counts, non-JSON literals: refused at load, not in an incident."""
    with pytest.raises(QueryError, match=re.escape(message)):
        compile_query(query)


def test_dotted_paths_and_richer_queries_compile_to_their_text() -> None:
    """Today's dotted paths are JMESPath as they are; a query keeps its text for reasons and reports."""
    for text in ("queue_depth.queued", '"webhook-failures"', "length(checks.*[] | [?status=='fail'])"):
        assert str(compile_query(text)) == text
    assert compile_query("a.b") == compile_query("a.b")
