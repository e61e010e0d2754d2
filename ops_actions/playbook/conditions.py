"""The playbook's condition language: parsed by Python's own parser, evaluated by a whitelist.

A condition is a Python-like expression over signal names, for example
``webhook_failed_last_hour > 0 or rising(queue_depth.queued, 3)``. It is never ``eval``-ed:
``ast.parse`` gives a tree, any node outside the small grammar below is a parse error, and
:func:`evaluate` walks the tree itself. Logic is three-valued (Kleene): a comparison with a
signal whose probe failed is ``UNKNOWN``, not false, so "we could not look" never reads as
"all is well".

Grammar: ``a and b``, ``a or b``, ``not a``, one comparison per term (``== != < <= > >=``),
``signal is unknown`` / ``signal is not unknown``, literals (numbers, quoted strings,
``true``/``false``), dotted signal names, ``rising(signal, n)``: the signal grew strictly
over its last ``n`` values (this triage and the ones before it; unknown until there are ``n``),
and ``rose(signal)``: the signal is above its newest earlier value in the history, a signal with
no earlier value counting from 0 (the first failures after none are a rise, also on a first look).
"""

from __future__ import annotations

import ast
import enum
import itertools
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final


class Unknown(enum.Enum):
    """The third truth value: the signal could not be read."""

    UNKNOWN = "unknown"

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = Unknown.UNKNOWN

# A signal value as triage reads it; dict is an opaque object such as a recovery summary.
Value = bool | int | float | str | dict[str, object] | None
Truth = bool | Unknown

_LITERAL_NAMES: Final[Mapping[str, bool]] = {"true": True, "false": False, "True": True, "False": False}
_COMPARISONS: Final[Mapping[type[ast.cmpop], Callable[[Any, Any], object]]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_RISING_DEFAULT_POINTS: Final = 2
_RISING_MAX_POINTS: Final = 20


class ExpressionError(ValueError):
    """A condition that is not in the grammar; ``column`` is 0-based within the expression."""

    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Expression:
    """A parsed condition and the signals it reads."""

    source: str
    tree: ast.expr
    signals: frozenset[str]
    rising: frozenset[str]


def parse(source: str) -> Expression:
    """Parse a condition, rejecting anything outside the grammar."""
    try:
        module = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(
            f"cannot parse condition: {error.msg}", max((error.offset or 1) - 1, 0)
        ) from None
    signals: set[str] = set()
    rising: set[str] = set()
    _check(module.body, signals, rising)
    return Expression(source=source, tree=module.body, signals=frozenset(signals), rising=frozenset(rising))


def _signal_name(node: ast.expr) -> str | None:
    """The dotted name a Name/Attribute chain spells, or None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        parent = _signal_name(node.value)
        return None if parent is None else f"{parent}.{node.attr}"
    return None


def _check(node: ast.expr, signals: set[str], rising: set[str]) -> None:
    """Walk a node, raising ExpressionError on anything outside the grammar."""
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, signals, rising)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _check(node.operand, signals, rising)
    elif isinstance(node, ast.Compare):
        if len(node.ops) != 1:
            raise ExpressionError(
                "chained comparisons are not supported; join them with 'and'", node.col_offset
            )
        op = node.ops[0]
        if isinstance(op, ast.Is | ast.IsNot):
            if not (isinstance(node.comparators[0], ast.Name) and node.comparators[0].id == "unknown"):
                raise ExpressionError("'is' only tests 'is unknown' or 'is not unknown'", node.col_offset)
            _check_operand(node.left, signals)
        elif type(op) in _COMPARISONS:
            _check_operand(node.left, signals)
            _check_operand(node.comparators[0], signals)
        else:
            raise ExpressionError(f"operator {type(op).__name__} is not supported", node.col_offset)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "rose":
        _check_rose(node, signals, rising)
    elif isinstance(node, ast.Call):
        _check_rising(node, signals, rising)
    else:
        _check_operand(node, signals)


def _check_operand(node: ast.expr, signals: set[str]) -> None:
    """Accept a literal or a signal name."""
    if isinstance(node, ast.Constant) and isinstance(node.value, bool | int | float | str):
        return
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
    ):
        _check_operand(node.operand, signals)
        return
    if isinstance(node, ast.Call):
        raise ExpressionError(
            "a function call cannot be compared; the functions are rising(signal, n) and rose(signal)",
            node.col_offset,
        )
    name = _signal_name(node)
    if name is None:
        raise ExpressionError(f"{type(node).__name__} is not allowed in a condition", node.col_offset)
    if name == "unknown":
        raise ExpressionError("'unknown' is only used as 'is unknown'", node.col_offset)
    if name not in _LITERAL_NAMES:
        signals.add(name)


def _check_rising(node: ast.Call, signals: set[str], rising: set[str]) -> None:
    """Accept only ``rising(signal[, n])``."""
    if not (isinstance(node.func, ast.Name) and node.func.id == "rising"):
        raise ExpressionError("the functions are rising(signal, n) and rose(signal)", node.col_offset)
    if node.keywords or not 1 <= len(node.args) <= 2:
        raise ExpressionError("rising takes a signal and an optional number of points", node.col_offset)
    name = _signal_name(node.args[0])
    if name is None or name in _LITERAL_NAMES or name == "unknown":
        raise ExpressionError("rising needs a signal name as its first argument", node.args[0].col_offset)
    if len(node.args) == 2:
        points = node.args[1]
        if not (
            isinstance(points, ast.Constant)
            and type(points.value) is int
            and 2 <= points.value <= _RISING_MAX_POINTS
        ):
            raise ExpressionError(
                f"rising needs a whole number of points from 2 to {_RISING_MAX_POINTS}", points.col_offset
            )
    signals.add(name)
    rising.add(name)


def _check_rose(node: ast.Call, signals: set[str], rising: set[str]) -> None:
    """Accept only ``rose(signal)``."""
    name = _signal_name(node.args[0]) if len(node.args) == 1 and not node.keywords else None
    if name is None or name in _LITERAL_NAMES or name == "unknown":
        raise ExpressionError("rose takes one signal name: rose(signal)", node.col_offset)
    signals.add(name)
    rising.add(name)


def evaluate(
    expression: Expression,
    values: Mapping[str, Value | Unknown],
    history: Sequence[Mapping[str, object]] = (),
) -> Truth:
    """Evaluate a parsed condition; ``history`` holds earlier snapshots' values, oldest first."""
    return _truth(expression.tree, values, history)


def _truth(
    node: ast.expr, values: Mapping[str, Value | Unknown], history: Sequence[Mapping[str, object]]
) -> Truth:
    """Three-valued truth of a node."""
    if isinstance(node, ast.BoolOp):
        results = [_truth(value, values, history) for value in node.values]
        if isinstance(node.op, ast.And):
            return False if False in results else (UNKNOWN if UNKNOWN in results else True)
        return True if True in results else (UNKNOWN if UNKNOWN in results else False)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        result = _truth(node.operand, values, history)
        return result if result is UNKNOWN else not result
    if isinstance(node, ast.Compare):
        return _compare(node, values)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "rose":
        return _rose(node, values, history)
    if isinstance(node, ast.Call):
        return _rising(node, values, history)
    value = _value(node, values)
    if value is UNKNOWN or not isinstance(value, bool):
        return UNKNOWN
    return value


def _value(node: ast.expr, values: Mapping[str, Value | Unknown]) -> Value | Unknown:
    """The value of a literal or a signal (UNKNOWN when the signal is missing)."""
    if isinstance(node, ast.Constant):
        # parse() admits only bool, int, float and str constants
        return node.value if isinstance(node.value, bool | int | float | str) else UNKNOWN
    if isinstance(node, ast.UnaryOp):
        operand = _value(node.operand, values)
        return -operand if isinstance(operand, int | float) and not isinstance(operand, bool) else UNKNOWN
    name = _signal_name(node)
    assert name is not None  # guaranteed by parse()
    if name in _LITERAL_NAMES:
        return _LITERAL_NAMES[name]
    return values.get(name, UNKNOWN)


def _compare(node: ast.Compare, values: Mapping[str, Value | Unknown]) -> Truth:
    """Compare two operands; mismatched kinds (a number against text) are UNKNOWN."""
    op = node.ops[0]
    left = _value(node.left, values)
    if isinstance(op, ast.Is):
        return left is UNKNOWN
    if isinstance(op, ast.IsNot):
        return left is not UNKNOWN
    right = _value(node.comparators[0], values)
    if left is UNKNOWN or right is UNKNOWN or not _comparable(left, right):
        return UNKNOWN
    return bool(_COMPARISONS[type(op)](left, right))


def _comparable(left: object, right: object) -> bool:
    """Only like with like: booleans with booleans, numbers with numbers, text with text."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool)
    if isinstance(left, int | float) and isinstance(right, int | float):
        return True
    return isinstance(left, str) and isinstance(right, str)


def _rising(
    node: ast.Call, values: Mapping[str, Value | Unknown], history: Sequence[Mapping[str, object]]
) -> Truth:
    """True when the signal grew strictly over its last n values."""
    name = _signal_name(node.args[0])
    assert name is not None  # guaranteed by parse()
    points = _RISING_DEFAULT_POINTS
    if len(node.args) == 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, int):
        points = node.args[1].value
    series = [snapshot.get(name, UNKNOWN) for snapshot in history[-(points - 1) :]]
    series.append(values.get(name, UNKNOWN))
    if len(series) < points or any(not _is_number(v) for v in series):
        return UNKNOWN
    numbers = [float(v) for v in series]  # type: ignore[arg-type]
    return all(earlier < later for earlier, later in itertools.pairwise(numbers))


def _rose(
    node: ast.Call, values: Mapping[str, Value | Unknown], history: Sequence[Mapping[str, object]]
) -> Truth:
    """True when the signal is above its newest earlier value (0 when the history has none)."""
    name = _signal_name(node.args[0])
    assert name is not None  # guaranteed by parse()
    now = values.get(name, UNKNOWN)
    if not _is_number(now):
        return UNKNOWN
    earlier = next((v for v in (s.get(name) for s in reversed(history)) if _is_number(v)), 0)
    return float(now) > float(earlier)  # type: ignore[arg-type]


def _is_number(value: object) -> bool:
    """A real number, not a boolean."""
    return isinstance(value, int | float) and not isinstance(value, bool)
