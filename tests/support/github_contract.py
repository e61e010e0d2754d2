"""Checks HTTP exchanges against GitHub's own OpenAPI description (the subset in tests/data/github-api).

A request must name an operation of the description (method and path template, declared query
parameters) and, when it carries JSON, the body must validate against the operation's
``requestBody`` schema. A response must be one the operation declares for that status and its JSON
must validate against that response's schema (``OAS30Validator``: ``nullable``, ``format``).

Policies for what the description leaves open, each mirroring how api.github.com behaves:

* A status the operation does not declare is accepted for errors (4xx/5xx) when the body is a
  GitHub error object (``basic-error``: a ``message``); GitHub answers 401, 403, 429 and 5xx on
  any operation. An undeclared 2xx/3xx status is a violation, except ``304`` to a conditional GET
  (empty body), which GitHub sends for any GET with a matching ``If-None-Match``.
* ``EXTRA_OPERATIONS`` are real GitHub operations outside the subset that the recorded fixtures use
  (the root document, deleting a label, unlocking an issue). They are accepted with the checks
  listed there.
* ``nullable: true`` on an ``enum`` admits ``null`` (GitHub sends ``"state_reason": null``; the
  description does not list ``null`` in such enums).
* The add/set-labels operations document in prose (not in their schema) that a bare array of
  label names, or a single name, is also accepted; PyGithub sends the bare array. Such bodies are
  wrapped as ``{"labels": [...]}`` before validation.
* ``/_emulator/*`` control endpoints are not part of GitHub and are exempt.
* A test that sends an invalid request on purpose (to see the error GitHub would answer) marks it
  with the ``X-Test-Deliberately-Invalid`` request header: the request side is then not checked,
  the response still is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from tests.support.paths import GITHUB_API_SPEC

CONTROL_PREFIX = "/_emulator/"
DELIBERATELY_INVALID = "X-Test-Deliberately-Invalid"
"""Request header marking a request a test sends invalid on purpose; its request side is not checked."""
_METHODS = ("get", "post", "put", "patch", "delete")
_LABEL_BODY_OPERATIONS = {"issues/add-labels", "issues/set-labels"}
_MULTI_SEGMENT_PARAMS = {"ref"}  # git refs and commit refs contain slashes (heads/feature/x)


@dataclass(frozen=True)
class ExtraOperation:
    """A GitHub operation outside the subset: which statuses it may answer and what body each has."""

    method: str
    template: str
    operation_id: str
    statuses: Mapping[int, str]  # status -> "empty" | "object" | "error"


EXTRA_OPERATIONS: tuple[ExtraOperation, ...] = (
    ExtraOperation("GET", "/", "meta/root", {200: "object"}),
    ExtraOperation("DELETE", "/repos/{owner}/{repo}/labels/{name}", "issues/delete-label", {204: "empty"}),
    ExtraOperation(
        "DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/lock", "issues/unlock", {204: "empty"}
    ),
)


@dataclass(frozen=True)
class Operation:
    """One operation of the description (or an extra one), with its compiled path template."""

    method: str
    template: str
    operation_id: str
    regex: re.Pattern[str]
    literal_weight: int
    spec: Mapping[str, Any] = field(default_factory=dict)
    extra: ExtraOperation | None = None


@dataclass
class Violation:
    """A request or response that breaks the contract, with enough context to find it."""

    method: str
    path: str
    status: int | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.method} {self.path}" + (f" -> {self.status}" if self.status is not None else "")
        return f"{where}: {self.problem}"


def _compile_template(template: str) -> tuple[re.Pattern[str], int]:
    pattern = ""
    literal = 0
    for piece in re.split(r"(\{[^}]+\})", template):
        if piece.startswith("{") and piece.endswith("}"):
            name = piece[1:-1]
            segment = ".+" if name in _MULTI_SEGMENT_PARAMS else "[^/]+"
            pattern += f"(?P<{name}>{segment})"
        else:
            pattern += re.escape(piece)
            literal += len(piece)
    return re.compile(f"^{pattern}$"), literal


class GitHubContract:
    """The OpenAPI description, loaded once, with ``$ref``s resolved and validators cached."""

    def __init__(self, spec_path: Path = GITHUB_API_SPEC) -> None:
        self.spec: dict[str, Any] = json.loads(spec_path.read_text(encoding="utf-8"))
        self._resolved: dict[str, Any] = {}
        self._validators: dict[tuple[str, str], Any] = {}

    # -- $ref resolution ----------------------------------------------------------------------

    def _lookup(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise ValueError(f"only local $refs are supported: {ref}")
        node: Any = self.spec
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def resolve(self, node: Any, _stack: tuple[str, ...] = ()) -> Any:
        """Return ``node`` with every ``$ref`` replaced by what it points at (recursively)."""
        if isinstance(node, list):
            return [self.resolve(item, _stack) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in _stack:
                raise ValueError(f"recursive $ref {ref} via {' -> '.join(_stack)}")
            if ref not in self._resolved:
                self._resolved[ref] = self.resolve(self._lookup(ref), (*_stack, ref))
            return self._resolved[ref]
        resolved = {key: self.resolve(value, _stack) for key, value in node.items()}
        if (
            resolved.get("nullable") is True
            and isinstance(resolved.get("enum"), list)
            and None not in resolved["enum"]
        ):
            # GitHub sends null for nullable enums (state_reason, conclusion); OAS 3.0.3 would need
            # null listed in the enum, which the description leaves out.
            resolved["enum"] = [*resolved["enum"], None]
        return resolved

    # -- operations ---------------------------------------------------------------------------

    @cached_property
    def operations(self) -> list[Operation]:
        """Every operation, most specific path template first."""
        found: list[Operation] = []
        for template, item in self.spec["paths"].items():
            shared = item.get("parameters", [])
            for method in _METHODS:
                if method not in item:
                    continue
                op = dict(self.resolve(item[method]))
                op["parameters"] = self.resolve(shared) + op.get("parameters", [])
                regex, weight = _compile_template(template)
                found.append(Operation(method.upper(), template, op["operationId"], regex, weight, op))
        for extra in EXTRA_OPERATIONS:
            regex, weight = _compile_template(extra.template)
            found.append(
                Operation(extra.method, extra.template, extra.operation_id, regex, weight, extra=extra)
            )
        found.sort(key=lambda operation: -operation.literal_weight)
        return found

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation serving ``method path`` (no query string), and its path parameters."""
        for operation in self.operations:
            if operation.method != method.upper():
                continue
            found = operation.regex.match(path)
            if found is None:
                continue
            params = found.groupdict()
            if self._path_params_ok(operation, params):
                return operation, params
        return None

    @staticmethod
    def _path_params_ok(operation: Operation, params: Mapping[str, str]) -> bool:
        for parameter in operation.spec.get("parameters", []):
            if parameter.get("in") != "path" or parameter["name"] not in params:
                continue
            if (
                parameter.get("schema", {}).get("type") == "integer"
                and not params[parameter["name"]].isdigit()
            ):
                return False
        return True

    def _validator(self, key: tuple[str, str], schema: Mapping[str, Any]) -> Any:
        # Imported here: the plugin loads with every test session, most of which never validate.
        from openapi_schema_validator import OAS30Validator, oas30_format_checker

        if key not in self._validators:
            self._validators[key] = OAS30Validator(schema, format_checker=oas30_format_checker)
        return self._validators[key]

    def _schema_errors(self, key: tuple[str, str], schema: Mapping[str, Any], instance: Any) -> list[str]:
        errors = sorted(
            self._validator(key, schema).iter_errors(instance), key=lambda e: list(e.absolute_path)
        )
        return [
            f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
            for error in errors
        ]

    # -- requests -----------------------------------------------------------------------------

    def check_request(
        self, method: str, path: str, query: Iterable[tuple[str, str]], body: bytes | None
    ) -> list[Violation]:
        """Violations of the request side: unknown operation, unknown query parameter, invalid body."""
        if path.startswith(CONTROL_PREFIX):
            return []
        matched = self.match(method, path)
        if matched is None:
            return [Violation(method, path, None, "no operation in the OpenAPI description matches")]
        operation, _ = matched
        if operation.extra is not None:
            return []
        problems: list[Violation] = []
        declared = {p["name"]: p for p in operation.spec.get("parameters", []) if p.get("in") == "query"}
        for name, value in query:
            parameter = declared.get(name)
            if parameter is None:
                problems.append(Violation(method, path, None, f"query parameter {name!r} is not declared"))
                continue
            problems.extend(Violation(method, path, None, p) for p in _query_value_problems(parameter, value))
        request_body = operation.spec.get("requestBody")
        if not body:
            if request_body and request_body.get("required"):
                problems.append(Violation(method, path, None, "a request body is required"))
            return problems
        if request_body is None:
            problems.append(Violation(method, path, None, "this operation takes no request body"))
            return problems
        try:
            payload = json.loads(body)
        except ValueError:
            return [*problems, Violation(method, path, None, "request body is not JSON")]
        if operation.operation_id in _LABEL_BODY_OPERATIONS and isinstance(payload, list | str):
            payload = {"labels": payload if isinstance(payload, list) else [payload]}
        schema = request_body["content"]["application/json"]["schema"]
        key = (operation.operation_id, "request")
        problems.extend(
            Violation(method, path, None, f"request {e}") for e in self._schema_errors(key, schema, payload)
        )
        return problems

    # -- responses ----------------------------------------------------------------------------

    def check_response(
        self, method: str, path: str, status: int, headers: Mapping[str, str], body: bytes
    ) -> list[Violation]:
        """Violations of the response side: undeclared status, wrong body for the status's schema."""
        if path.startswith(CONTROL_PREFIX):
            return []
        matched = self.match(method, path)
        if matched is None:
            # Reported once by check_request; an error answer to an unknown path must still be GitHub-shaped.
            return self._generic_error(method, path, status, body) if status >= 400 else []
        operation, _ = matched
        if status == 304 and method.upper() == "GET":
            return [] if not body else [Violation(method, path, status, "304 must have an empty body")]
        if operation.extra is not None:
            return self._check_extra(operation.extra, method, path, status, body)
        declared = operation.spec["responses"].get(str(status))
        if declared is None:
            if status >= 400:
                return self._generic_error(method, path, status, body)
            return [
                Violation(
                    method, path, status, f"status {status} is not declared for {operation.operation_id}"
                )
            ]
        schema = declared.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return [] if not body else [Violation(method, path, status, "the declared response has no body")]
        content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
        problems: list[Violation] = []
        if not content_type.startswith("application/json"):
            problems.append(Violation(method, path, status, f"content-type {content_type!r} is not JSON"))
        try:
            payload = json.loads(body)
        except ValueError:
            return [*problems, Violation(method, path, status, "response body is not JSON")]
        key = (operation.operation_id, str(status))
        problems.extend(Violation(method, path, status, e) for e in self._schema_errors(key, schema, payload))
        return problems

    def _generic_error(self, method: str, path: str, status: int, body: bytes) -> list[Violation]:
        try:
            payload = json.loads(body)
        except ValueError:
            return [Violation(method, path, status, "an error response must be a JSON GitHub error object")]
        schema = self.resolve({"$ref": "#/components/schemas/basic-error"})
        problems = [
            Violation(method, path, status, e)
            for e in self._schema_errors(("basic-error", ""), schema, payload)
        ]
        if not isinstance(payload, dict) or not isinstance(payload.get("message"), str):
            problems.append(Violation(method, path, status, "an error response needs a 'message'"))
        return problems

    def _check_extra(
        self, extra: ExtraOperation, method: str, path: str, status: int, body: bytes
    ) -> list[Violation]:
        kind = extra.statuses.get(status)
        if kind is None:
            if status >= 400:
                return self._generic_error(method, path, status, body)
            return [
                Violation(method, path, status, f"status {status} is not expected for {extra.operation_id}")
            ]
        if kind == "empty":
            return [] if not body else [Violation(method, path, status, "expected an empty body")]
        try:
            payload = json.loads(body)
        except ValueError:
            return [Violation(method, path, status, "response body is not JSON")]
        return (
            [] if isinstance(payload, dict) else [Violation(method, path, status, "expected a JSON object")]
        )

    # -- both ---------------------------------------------------------------------------------

    def check_exchange(
        self,
        *,
        method: str,
        path: str,
        query: Iterable[tuple[str, str]],
        request_body: bytes | None,
        status: int,
        response_headers: Mapping[str, str],
        response_body: bytes,
        request_headers: Mapping[str, str] | None = None,
    ) -> list[Violation]:
        """Every violation of one request/response pair (see ``DELIBERATELY_INVALID``)."""
        deliberate = DELIBERATELY_INVALID.lower() in {name.lower() for name in request_headers or {}}
        return [
            *([] if deliberate else self.check_request(method, path, query, request_body)),
            *self.check_response(method, path, status, response_headers, response_body),
        ]


def _query_value_problems(parameter: Mapping[str, Any], value: str) -> list[str]:
    schema = parameter.get("schema", {})
    name = parameter["name"]
    if schema.get("type") == "integer":
        try:
            int(value)
        except ValueError:
            return [f"query parameter {name!r}={value!r} is not an integer"]
    if schema.get("type") == "boolean" and value not in ("true", "false"):
        return [f"query parameter {name!r}={value!r} is not a boolean"]
    enum = schema.get("enum")
    if enum is not None and value not in enum:
        return [f"query parameter {name!r}={value!r} is not one of {enum}"]
    return []


_CONTRACT: GitHubContract | None = None


def contract() -> GitHubContract:
    """The shared, lazily loaded contract (loading and resolving the description takes a moment)."""
    global _CONTRACT  # noqa: PLW0603 - one cache per test session
    if _CONTRACT is None:
        _CONTRACT = GitHubContract()
    return _CONTRACT
