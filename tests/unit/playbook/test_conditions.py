"""The condition language: grammar, three-valued logic and trends."""

from __future__ import annotations

import pytest

from ops_actions.playbook.conditions import UNKNOWN, ExpressionError, evaluate, parse


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        ("webhook_failed_last_hour > 0", {"webhook_failed_last_hour": 3}, True),
        ("webhook_failed_last_hour > 0", {"webhook_failed_last_hour": 0}, False),
        ("webhook_failed_last_hour > 0", {}, UNKNOWN),
        ("db_ok == false", {"db_ok": False}, True),
        ("db_ok == false", {"db_ok": True}, False),
        ("db_ok == false", {"db_ok": 0}, UNKNOWN),
        ("ready_ok is unknown", {}, True),
        ("ready_ok is unknown", {"ready_ok": True}, False),
        ("ready_ok is not unknown", {"ready_ok": False}, True),
        ("not db_ok", {"db_ok": False}, True),
        ("not db_ok", {}, UNKNOWN),
        ("a > 1 and b > 1", {"a": 2}, UNKNOWN),
        ("a > 1 and b > 1", {"a": 0}, False),
        ("a > 1 or b > 1", {"a": 2}, True),
        ("a > 1 or b > 1", {"a": 0}, UNKNOWN),
        ("queue_depth.queued >= 10", {"queue_depth.queued": 10}, True),
        ("temperature < -5", {"temperature": -7.5}, True),
        ("name == 'api'", {"name": "api"}, True),
        ("name == 'api'", {"name": 1}, UNKNOWN),
    ],
)
def test_evaluation_is_three_valued(source: str, values: dict[str, object], expected: object) -> None:
    """Comparisons with missing or mismatched values are UNKNOWN, and and/or follow Kleene logic."""
    assert evaluate(parse(source), values) is expected  # type: ignore[arg-type]


def test_rising_needs_strict_growth_over_n_points() -> None:
    """rising(x, 3) is true only when the last three values grow strictly, unknown with less history."""
    expression = parse("rising(queue_depth.queued, 3)")
    assert expression.rising == {"queue_depth.queued"}
    assert evaluate(expression, {"queue_depth.queued": 9}, [{"queue_depth.queued": 5}]) is UNKNOWN
    history = [{"queue_depth.queued": 1}, {"queue_depth.queued": 5}]
    assert evaluate(expression, {"queue_depth.queued": 9}, history) is True
    assert evaluate(expression, {"queue_depth.queued": 5}, history) is False
    gap = [{"queue_depth.queued": 1}, {}]
    assert evaluate(expression, {"queue_depth.queued": 9}, gap) is UNKNOWN


def test_rose_compares_with_the_newest_earlier_value_and_counts_from_zero() -> None:
    """rose(x): above the newest earlier known value; no earlier value counts as 0 (the first
    failures after none are a rise, also on a first look); a fall or a steady count is not."""
    expression = parse("rose(jobs_failed_last_hour)")
    assert expression.signals == {"jobs_failed_last_hour"}
    assert evaluate(expression, {"jobs_failed_last_hour": 1}) is True
    assert evaluate(expression, {"jobs_failed_last_hour": 0}) is False
    history = [{"jobs_failed_last_hour": 12}, {}]  # the newest triage could not read the metrics
    assert evaluate(expression, {"jobs_failed_last_hour": 3}, history) is False
    assert evaluate(expression, {"jobs_failed_last_hour": 12}, history) is False
    assert evaluate(expression, {"jobs_failed_last_hour": 13}, history) is True
    assert evaluate(expression, {}, history) is UNKNOWN


def test_parse_collects_signal_names() -> None:
    """Dotted names are single signals; true/false are literals, not signals."""
    expression = parse("worker.running == true and queue_depth.queued > 3 or rising(dead_letters, 2)")
    assert expression.signals == {"worker.running", "queue_depth.queued", "dead_letters"}


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os').system('id')",
        "open('/etc/passwd').read() == ''",
        "db_ok.__class__ == 1 or eval('1')",
        "(lambda: 1)()",
        "[x for x in range(10)] == []",
        "a if b else c",
        "x + 1 > 2",
        "a[0] == 1",
        "{'a': 1} == {}",
        "f'{db_ok}' == ''",
        "1 < x < 3",
        "x in (1, 2)",
        "x is None",
        "rising(x, 1)",
        "rising(x, n=3)",
        "rising(3)",
        "rose(x, 2)",
        "rose(3)",
        "rose(x) > 1",
        "x ==",
        "x := 3",
        "unknown == 1",
    ],
)
def test_anything_outside_the_grammar_is_rejected(source: str) -> None:
    """Calls, attributes on literals, arithmetic, subscripts, comprehensions and the like do not parse."""
    with pytest.raises(ExpressionError):
        parse(source)
