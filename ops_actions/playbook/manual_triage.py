"""The runbook's manual triage: each probe as the request triage sends (a POST probe with its JSON
body), and the same request as a command to paste, for curl (POSIX shells) and for PowerShell's
``Invoke-RestMethod`` (the seed's team triaged from PowerShell).

The commands read the backend URL and the credentials from the environment variables the playbook
names, so no secret is ever written into the runbook, and a pasted command shows what triage reads:
the answer, its HTTP status and how long it took.
"""

from __future__ import annotations

import json

from ops_actions.playbook.model import Auth, Playbook, Probe, SignalSpec
from ops_actions.text.markdown import code_span

# A fact of the answer itself: where a person sees it, and its type.
_FACTS = {
    "status_ok": ("the status is 2xx", "boolean"),
    "status_code": ("the HTTP status", "number"),
    "latency_ms": ("how long the answer took, in ms", "number"),
}


def _sh_double_quoted(text: str) -> str:
    """Text inside a POSIX shell's double quotes, literally."""
    for special in ("\\", "$", "`", '"'):
        text = text.replace(special, "\\" + special)
    return text


def _ps_double_quoted(text: str) -> str:
    """Text inside a PowerShell double-quoted string, literally (the backtick escapes)."""
    for special in ("`", "$", '"'):
        text = text.replace(special, "`" + special)
    return text


def _sh_single_quoted(text: str) -> str:
    """Text as one POSIX shell word, literally."""
    return "'" + text.replace("'", "'\\''") + "'"


def _ps_single_quoted(text: str) -> str:
    """Text as a PowerShell single-quoted string, literally."""
    return "'" + text.replace("'", "''") + "'"


def _json(probe: Probe) -> str:
    """A POST probe's body as triage sends it."""
    return json.dumps(probe.body or {}, separators=(",", ":"), ensure_ascii=False)


def _credential_header(auth: Auth) -> tuple[str, str, str] | None:
    """The header a probe's credential travels in, as (name, value prefix, environment variable);
    None for no credential and for basic auth, which each shell spells its own way."""
    if not auth.env:
        return None
    if auth.kind == "bearer":
        return "Authorization", "Bearer ", auth.env
    if auth.kind == "header" and auth.header:
        return auth.header, "", auth.env
    return None


def _auth_text(auth: Auth) -> str:
    if auth.kind == "none" or auth.env is None:
        return "no credential"
    if auth.kind == "bearer":
        return f"Bearer token from `{auth.env}`"
    if auth.kind == "header":
        return f"header `{auth.header}` from `{auth.env}`"
    return f"basic auth, `user:password` from `{auth.env}`"


def curl_command(playbook: Playbook, probe: Probe) -> str:
    """The probe as a curl command line: the answer, then its status and time."""
    parts = ["curl -sS", f"--max-time {probe.timeout_s:g}"]
    if probe.method == "HEAD":
        parts.append("--head")
    elif probe.method == "POST":
        parts += [
            "-X POST",
            "-H 'Content-Type: application/json'",
            f"--data {_sh_single_quoted(_json(probe))}",
        ]
    parts.append(f"-H 'Accept: {probe.answer_format.accept}'")
    header, auth = _credential_header(probe.auth), probe.auth
    if header is not None:
        name, prefix, env = header
        parts.append(f'-H "{_sh_double_quoted(name)}: {prefix}${env}"')
    elif auth.kind == "basic" and auth.env:
        parts.append(f'-u "${auth.env}"')
    parts.append("-w '\\nHTTP %{http_code} in %{time_total} s\\n'")
    parts.append(f'"${{{playbook.url_env}%/}}{_sh_double_quoted(probe.path)}"')
    return " ".join(parts)


def powershell_command(playbook: Playbook, probe: Probe) -> str:
    """The probe as PowerShell 7's Invoke-RestMethod (``-SkipHttpErrorCheck`` shows a 5xx answer too)."""
    headers = [f"Accept = '{probe.answer_format.accept}'"]
    header, auth = _credential_header(probe.auth), probe.auth
    if header is not None:
        name, prefix, env = header
        headers.append(f'{_ps_single_quoted(name)} = "{prefix}$env:{env}"')
    elif auth.kind == "basic" and auth.env:
        encoded = f"[Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($env:{auth.env}))"
        headers.append(f'Authorization = "Basic $({encoded})"')
    method = probe.method.capitalize()
    sent = (
        f" -ContentType 'application/json' -Body {_ps_single_quoted(_json(probe))}"
        if method == "Post"
        else ""
    )
    command = (
        f"Invoke-RestMethod -Method {method} "
        f"-Uri \"$($env:{playbook.url_env}.TrimEnd('/')){_ps_double_quoted(probe.path)}\" "
        f"-Headers @{{ {'; '.join(headers)} }}{sent} -TimeoutSec {max(1, round(probe.timeout_s))} "
        "-SkipHttpErrorCheck -StatusCodeVariable status"
    )
    shown = " | ConvertTo-Json -Depth 20" if probe.answer_format.body_kind == "json" else ""
    return f'{command}{shown}; "HTTP $status"'


def _signal_row(signal: SignalSpec) -> str:
    where, kind = _FACTS.get(signal.source, ("", signal.type))
    if signal.regex is not None:
        where = "regex " + code_span(signal.regex.pattern, cell=True)
    elif signal.field is not None:
        where = "query " + code_span(str(signal.field), cell=True)
    return f"| {code_span(signal.name, cell=True)} | {where} | {kind} |"


def manual_triage(playbook: Playbook) -> str:
    """The runbook's section: where reports go, then each probe with both commands and its signals."""
    envs = dict.fromkeys([playbook.url_env, *playbook.credential_envs()])
    lines = [
        "## Manual triage",
        "",
        f"`ops-actions triage` sends these requests and writes its JSON report to "
        f"`{playbook.report_dir}/incident-triage-<UTC time>.json` (the playbook's `triage.report_dir`). "
        "By hand, set the environment first:",
        "",
        "```sh",
        "export " + " ".join(f"{name}=..." for name in envs),
        "```",
        "",
        "```powershell",
        "; ".join(f'$env:{name} = "..."' for name in envs),
        "```",
        "",
    ]
    for probe in playbook.probes:
        when = "a diagnostic, fetched when a branch needs it" if probe.diagnostic else "every triage"
        lines += [
            f"### {code_span(probe.id)}: {probe.method} {code_span(probe.path)}",
            "",
            f"Format `{probe.format}`; {_auth_text(probe.auth)}; timeout {probe.timeout_s:g} s; {when}.",
            "",
            "```sh",
            curl_command(playbook, probe),
            "```",
            "",
            "```powershell",
            powershell_command(playbook, probe),
            "```",
            "",
        ]
        if probe.list_field is not None:
            groups = ", ".join(code_span(query.source) for query in probe.group_by)
            items = f"Items: {code_span(probe.list_field.source)}"
            lines += [items + (f", grouped by {groups}." if groups else "."), ""]
        if probe.signals:
            lines += ["| signal | read from | type |", "|---|---|---|"]
            lines += [_signal_row(signal) for signal in probe.signals]
            lines.append("")
    return "\n".join(lines)
