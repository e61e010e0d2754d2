"""Field queries: JMESPath expressions that pick a value out of a JSON answer; regexes for text.

A signal's ``field`` (and a diagnostic's ``list_field``, ``group_by`` and a fetch step's ``field``)
is a JMESPath query (https://jmespath.org/specification.html). The dotted paths playbooks always
used (``queue_depth.queued``) are JMESPath too and mean the same; a query can also quote keys with
hyphens or colons (``"webhook-failures"``, ``checks."db:responseTime"``), index arrays (``[0]``),
filter (``[?status=='fail']``) and count (``length(...)``), so one query yields one value.

Queries are compiled once, when the playbook loads: a query that does not parse, names a function
JMESPath does not have or calls one with the wrong number of arguments is a playbook error there,
never a surprise during an incident. What is left for run time is a function meeting a value of the
wrong type (``length(null)``), which :meth:`Query.search` reports as a :class:`QueryError`.

A text answer (``format: text``) is read by a regex instead, compiled here too (:func:`compile_regex`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import jmespath
import regex
from jmespath import exceptions
from jmespath.functions import Functions
from jmespath.parser import ParsedResult

# name -> (number of arguments, whether more may follow), from the library's own table; JMESPath
# checks it only while evaluating, and a variadic function takes at least its listed arguments.
_FUNCTIONS: Final[Mapping[str, tuple[int, bool]]] = {
    name: (len(entry["signature"]), bool(entry["signature"]) and bool(entry["signature"][-1].get("variadic")))
    for name, entry in Functions.FUNCTION_TABLE.items()
}


class QueryError(ValueError):
    """A query that cannot be compiled or evaluated; ``column`` is 0-based within the query."""

    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Query:
    """A compiled JMESPath query and the text it was written as."""

    source: str
    parsed: ParsedResult = field(compare=False, repr=False)

    def __str__(self) -> str:
        return self.source

    def search(self, document: Any) -> Any:
        """The query's value in ``document``; None when it finds nothing."""
        try:
            return self.parsed.search(document)
        except exceptions.JMESPathError as error:  # a function given a value of the wrong type
            raise QueryError(" ".join(str(error).split())) from None


def compile_query(source: str) -> Query:
    """Compile a query, refusing what JMESPath would only reject (or guess at) while evaluating."""
    with warnings.catch_warnings():
        # JMESPath still accepts `foo` (not JSON) as a string literal, with a deprecation warning.
        warnings.simplefilter("error", PendingDeprecationWarning)
        try:
            parsed = jmespath.compile(source)
        except PendingDeprecationWarning:
            raise QueryError('a literal between backticks must be JSON, e.g. `"text"` or `3`') from None
        except exceptions.IncompleteExpressionError:
            raise QueryError("invalid query: it ends too early", len(source)) from None
        except exceptions.ArityError as error:
            raise QueryError(" ".join(str(error).split())) from None
        except exceptions.LexerError as error:
            raise QueryError(f"invalid query: {error.message}", error.lexer_position) from None
        except exceptions.ParseError as error:
            found = f"unexpected '{error.token_value}'" if error.token_value else "it ends too early"
            raise QueryError(f"invalid query: {found}", error.lex_position) from None
        except exceptions.JMESPathError as error:  # EmptyExpressionError
            raise QueryError(f"invalid query: {' '.join(str(error).split())}") from None
    for name, count in _calls(parsed.parsed):
        if name not in _FUNCTIONS:
            known = ", ".join(sorted(_FUNCTIONS))
            raise QueryError(f"unknown function {name}() in the query; JMESPath has: {known}")
        wanted, variadic = _FUNCTIONS[name]
        if count < wanted or (count > wanted and not variadic):
            least = "at least " if variadic else ""
            raise QueryError(f"{name}() takes {least}{wanted} argument(s), not {count}")
    return Query(source, parsed)


def _calls(node: Mapping[str, Any]) -> Iterator[tuple[str, int]]:
    """(name, number of arguments) of every function call in a parsed query."""
    if node.get("type") == "function_expression":
        yield str(node["value"]), len(node["children"])
    for child in node.get("children", ()):
        if isinstance(child, Mapping):
            yield from _calls(child)


def compile_regex(source: str) -> regex.Pattern[str]:
    """A text signal's regex, matched line by line: ``^`` and ``$`` match at every line. The regex
    library in its re-compatible mode (V0), for the timeout its matching takes."""
    try:
        return regex.compile(source, regex.MULTILINE | regex.VERSION0)
    except regex.error as error:
        # regex's error has re's msg and pos, though its type stubs leave them out.
        message, position = getattr(error, "msg", str(error)), getattr(error, "pos", None)
        raise QueryError(f"the regex does not compile: {message}", position or 0) from None
