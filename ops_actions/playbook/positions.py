"""The playbook's YAML as plain values that remember where every key and value stood.

PyYAML's composer keeps each node's position, so the values are built from the node tree here
(refusing duplicate keys, unsafe tags, alias bombs and numbers no setting can use), and a problem
found later (by the schema check or the model builder) is placed at the line and column of the
value, or of its key, it is about.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

import yaml

from ops_actions.playbook.problems import KeyPath, PlaybookError, Problem

# Aliases can make a small file expand into a huge tree ("billion laughs"); a real playbook
# has a few hundred nodes.
MAX_NODES = 50_000
# A real playbook nests a handful of levels; deeper (or a recursive alias) would exhaust the stack.
MAX_DEPTH = 32
# No playbook number needs more (minutes, hours, seconds, counts); larger ones overflow dates.
MAX_NUMBER = 1_000_000
# Scalars go through SafeLoader's constructor, which refuses unsafe tags; collections are
# walked here, so their tags are checked here.
_PLAIN_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
_FAST_LOADER: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)


class PositionedDocument:
    """Plain values of a YAML document plus the position of every key and value."""

    def __init__(self, value: Any, values: dict[KeyPath, yaml.Mark], keys: dict[KeyPath, yaml.Mark]) -> None:
        self.value = value
        self._values = values
        self._keys = keys

    @classmethod
    def compose(cls, text: str, source: str) -> PositionedDocument:
        """Compose the YAML and convert it, refusing duplicate keys and alias bombs.

        libyaml's parser (when PyYAML has it) reads a playbook in a tenth of the time; anything it
        refuses is read again by PyYAML's own, whose messages and positions the problems report.
        """
        if _FAST_LOADER is not None:
            try:
                return cls._compose(_FAST_LOADER, text, source)
            except (PlaybookError, yaml.YAMLError, RecursionError, ValueError):
                pass
        return cls._compose(yaml.SafeLoader, text, source)

    @classmethod
    def _compose(cls, kind: type[yaml.SafeLoader], text: str, source: str) -> PositionedDocument:
        try:
            loader = kind(text)
        except yaml.YAMLError as error:  # the reader refuses control characters before parsing
            mark = getattr(error, "problem_mark", None)
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            raise PlaybookError(source, [Problem(line, column, f"YAML error: {_reason(error)}")]) from None
        try:
            try:
                node = loader.get_single_node()
            except RecursionError:
                raise PlaybookError(
                    source, [Problem(1, 1, f"the playbook nests deeper than {MAX_DEPTH} levels")]
                ) from None
            if node is None:
                raise PlaybookError(source, [Problem(1, 1, "the playbook is empty")])
            values: dict[KeyPath, yaml.Mark] = {}
            keys: dict[KeyPath, yaml.Mark] = {}
            budget = [MAX_NODES]
            value = cls._convert(loader, node, (), values, keys, budget, source)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            reason = error.problem or error.context or "invalid YAML"
            raise PlaybookError(source, [Problem(line, column, f"YAML syntax error: {reason}")]) from None
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            raise PlaybookError(source, [Problem(line, column, f"YAML error: {_reason(error)}")]) from None
        finally:
            loader.dispose()
        return cls(value, values, keys)

    @classmethod
    def _convert(
        cls,
        loader: yaml.SafeLoader,
        node: yaml.Node,
        path: KeyPath,
        values: dict[KeyPath, yaml.Mark],
        keys: dict[KeyPath, yaml.Mark],
        budget: list[int],
        source: str,
    ) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            mark = node.start_mark
            raise PlaybookError(
                source,
                [Problem(mark.line + 1, mark.column + 1, f"the playbook expands to over {MAX_NODES} nodes")],
            )
        if len(path) > MAX_DEPTH:  # also stops a recursive alias (&a [*a]) before the stack does
            mark = node.start_mark
            message = f"the playbook nests deeper than {MAX_DEPTH} levels (or an alias refers to itself)"
            raise PlaybookError(source, [Problem(mark.line + 1, mark.column + 1, message, path[:3])])
        values[path] = node.start_mark
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_COLLECTION_TAGS:
            mark = node.start_mark
            raise PlaybookError(
                source,
                [Problem(mark.line + 1, mark.column + 1, f"YAML tag {node.tag!r} is not allowed", path)],
            )
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = _scalar(loader, key_node, path, source)
                mark = key_node.start_mark
                if not isinstance(key, str):
                    raise PlaybookError(
                        source,
                        [Problem(mark.line + 1, mark.column + 1, f"keys must be text, not {key!r}", path)],
                    )
                if key in result:
                    raise PlaybookError(
                        source, [Problem(mark.line + 1, mark.column + 1, f"duplicate key {key!r}", path)]
                    )
                keys[(*path, key)] = mark
                result[key] = cls._convert(loader, value_node, (*path, key), values, keys, budget, source)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [
                cls._convert(loader, item, (*path, index), values, keys, budget, source)
                for index, item in enumerate(node.value)
            ]
        return _scalar(loader, node, path, source)

    def overlaid(self, value: Any, moved: Mapping[KeyPath, KeyPath]) -> PositionedDocument:
        """A document of ``value``, a copy of this one's with some parts taken from elsewhere in it:
        ``moved`` maps each such part's path in ``value`` to the path in this document it came from.
        Problems found in the copy are placed where its values were written."""

        def placed(table: dict[KeyPath, yaml.Mark]) -> dict[KeyPath, yaml.Mark]:
            kept = {
                path: mark
                for path, mark in table.items()
                if not any(path[: len(target)] == target for target in moved)
            }
            for target, source in moved.items():
                for path, mark in table.items():
                    if path[: len(source)] == source:
                        kept[(*target, *path[len(source) :])] = mark
            return kept

        return PositionedDocument(value, placed(self._values), placed(self._keys))

    def problem(self, path: KeyPath, message: str, *, at_key: bool = False) -> Problem:
        """A problem positioned at a value (or at its key) or, failing that, its nearest parent."""
        table = self._keys if at_key else self._values
        probe = path
        while probe not in table and probe:
            probe = probe[:-1]
        mark = table.get(probe) or self._values.get(probe)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return Problem(line, column, message, path)


def _reason(error: Exception) -> str:
    return " ".join(str(getattr(error, "problem", None) or error).split())[:200]


def _scalar(loader: yaml.SafeLoader, node: yaml.Node, path: KeyPath, source: str) -> Any:
    """Build a scalar; values PyYAML recognises but cannot build (2026-13-99, !!int abc) are problems,
    and so are numbers no setting can use: NaN, infinities and anything beyond MAX_NUMBER."""
    mark = node.start_mark
    text = " ".join(str(node.value).split())[:60] if isinstance(node.value, str) else "?"
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.YAMLError:
        raise
    except (ValueError, KeyError, TypeError, OverflowError, AttributeError) as error:
        raise PlaybookError(
            source,
            [Problem(mark.line + 1, mark.column + 1, f"cannot read {text!r} ({type(error).__name__})", path)],
        ) from None
    if isinstance(value, date):
        # A time is text to the schema and the model (maintenance windows parse it with its zone).
        return node.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            problem = f"{text!r} is not a finite number"
        elif abs(value) > MAX_NUMBER:
            problem = f"{text!r} is larger than {MAX_NUMBER:,}"
        else:
            return value
        raise PlaybookError(source, [Problem(mark.line + 1, mark.column + 1, problem, path)])
    return value
