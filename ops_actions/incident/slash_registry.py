"""The slash commands, one registry entry each: name, usage, what it does, how its arguments are
read, who may run it, and whether it is public.

The grammar (:mod:`ops_actions.incident.slash_grammar`) reads commands through this registry, the
dispatch in :mod:`ops_actions.flows.slash_commands` binds each name to its operation, and the
``/help`` reply, the ``command`` CLI's ``--help`` and the table in ``docs/cli.md`` are written from
it: a new command is one entry here plus its operation there.

**Public** means the command can change what customers see. Nothing in the code marked commands
so before this registry; it follows from what each one changes: the status page shows timeline
events of the kinds a playbook's ``status_page.public_events`` may name (status, severity,
impact, resolved) and its list of incidents, and the notification targets are told of status,
severity, opened and resolved. So ``/status``, ``/sev``, ``/impact``, ``/resolve`` and
``/planned`` (the page shows a planned incident as maintenance) are public, ``/public-title`` (the
incident's title on the page) too, and ``/merge`` (the merged incident leaves the page; a worse
severity is announced) and ``/split`` (a new incident is opened) too; owners, dispatches, checks
and postmortem issues never reach customers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from ops_actions.errors import OpsError
from ops_actions.incident.clock import parse_minutes
from ops_actions.playbook.model import Severities

# The collaborator-permission API's permissions that may change an incident, lowest first.
_WRITE_LEVELS: Final = ("write", "maintain", "admin")
WRITE_PERMISSIONS: Final = frozenset(_WRITE_LEVELS)

_NAME_OF_COMMAND = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
_NEXT = re.compile(r"^(\d{1,4})m$")
_LOGIN = re.compile(r"^@?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))$")
_REF = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")
_ISSUE = re.compile(r"^#?([1-9][0-9]{0,9})$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,200}$")


@dataclass(frozen=True)
class PlaybookTerms:
    """The playbook's words a command's arguments are checked against."""

    statuses: Sequence[str]
    severities: Severities


# A command's words (split like a shell would) -> its named arguments; ValueError says what is wrong.
ArgumentParser = Callable[[list[str], PlaybookTerms], dict[str, str]]


@dataclass(frozen=True)
class SlashCommand:
    """One slash command: everything about it but the operation it runs (flows/ binds that).

    ``permissions`` narrows who may run it within write, maintain and admin: the tool obeys nobody
    below write access, whatever a command says.
    """

    name: str
    usage: str
    does: str
    parse: ArgumentParser | None = None  # None: the command takes no arguments
    permissions: frozenset[str] = WRITE_PERMISSIONS
    public: bool = False

    def __post_init__(self) -> None:
        if not _NAME_OF_COMMAND.match(self.name):
            raise ValueError(f"a slash command's name is lower case letters, digits and '-': {self.name!r}")
        if self.usage != f"/{self.name}" and not self.usage.startswith(f"/{self.name} "):
            raise ValueError(f"the usage of /{self.name} starts with /{self.name}: {self.usage!r}")
        if not self.permissions or not self.permissions <= WRITE_PERMISSIONS:
            raise ValueError(f"/{self.name} may be run by some of {', '.join(_WRITE_LEVELS)} only")

    def arguments(self, words: list[str], terms: PlaybookTerms) -> dict[str, str]:
        """The command's words named; ValueError says what is wrong."""
        if self.parse is not None:
            return self.parse(words, terms)
        if words:
            raise ValueError(f"/{self.name} takes no arguments")
        return {}

    def who_may(self) -> str:
        """The permissions that may run it, lowest first."""
        return ", ".join(level for level in _WRITE_LEVELS if level in self.permissions)


def _status(words: list[str], terms: PlaybookTerms) -> dict[str, str]:
    if not words or words[0].lower() not in terms.statuses:
        raise ValueError("the status must be one of " + ", ".join(terms.statuses))
    args = {"status": words[0].lower()}
    rest = words[1:]
    if len(rest) >= 2 and rest[0].lower() == "next":
        match = _NEXT.match(rest[1].lower())
        if not match or not 1 <= int(match.group(1)) <= 10_080:
            raise ValueError("'next' takes minutes such as 30m")
        args["next_minutes"] = match.group(1)
        rest = rest[2:]
    # ``public:`` starts the words for customers; before it, the update's message (the team's only).
    at = next((i for i, word in enumerate(rest) if word.lower().startswith(PUBLIC_PREFIX)), len(rest))
    public = " ".join([rest[at][len(PUBLIC_PREFIX) :], *rest[at + 1 :]]).strip() if at < len(rest) else ""
    if at < len(rest) and not public:
        raise ValueError(f"'{PUBLIC_PREFIX}' takes the words customers read on the status page")
    args["text"] = " ".join(rest[:at])
    if public:
        args["public"] = public
    return args


def _public_title(words: list[str], terms: PlaybookTerms) -> dict[str, str]:
    if not words:
        raise ValueError("give the title customers read on the status page")
    return {"title": " ".join(words)}


def _severity(words: list[str], terms: PlaybookTerms) -> dict[str, str]:
    severity = terms.severities.find(words[0]) if words else None
    if severity is None:
        raise ValueError("the severity must be one of " + ", ".join(terms.severities.ids))
    return {"severity": severity, "reason": " ".join(words[1:])}


def _owner(words: list[str], terms: PlaybookTerms) -> dict[str, str]:
    match = _LOGIN.match(words[0]) if len(words) == 1 else None
    if not match:
        raise ValueError("give exactly one GitHub login, e.g. @octocat")
    return {"owner": match.group(1)}


def _impact(words: list[str], terms: PlaybookTerms) -> dict[str, str]:
    if not words:
        raise ValueError("say who is affected and how much")
    return {"impact": " ".join(words)}


def _ref(words: list[str], terms: PlaybookTerms) -> dict[str, str]:
    if len(words) > 1 or (words and not _REF.match(words[0])):
        raise ValueError("give at most one git ref or SHA")
    return {"ref": words[0]} if words else {}


def _rollback(words: list[str], terms: PlaybookTerms) -> dict[str, str]:
    """``[sha] [--hotfix]``, in either order: ``--hotfix`` can be no git ref (none starts with "-")."""
    asked = HOTFIX_FLAG in words
    args = _ref([word for word in words if word != HOTFIX_FLAG], terms)
    return {**args, "hotfix": "true"} if asked else args


def _check(words: list[str], terms: PlaybookTerms) -> dict[str, str]:
    if len(words) != 1 or not _NAME.match(words[0]):
        raise ValueError("name one manual checklist item, e.g. /check manual-signup-login")
    return {"item": words[0]}


def _merge(words: list[str], terms: PlaybookTerms) -> dict[str, str]:
    match = _ISSUE.match(words[0]) if len(words) == 1 else None
    if not match:
        raise ValueError("name the one incident to fold into this one, e.g. /merge #12")
    return {"number": match.group(1)}


def _split(words: list[str], terms: PlaybookTerms) -> dict[str, str]:
    if len(words) != 1 or not _NAME.match(words[0]):
        raise ValueError("name one of the incident's causes (the body lists them), e.g. /split B")
    return {"cause": words[0]}


def _resolve(words: list[str], terms: PlaybookTerms) -> dict[str, str]:
    if not words:
        return {}
    if words[0].lower() != "force" or len(words) < 2:
        raise ValueError("to override the checklist write: /resolve force <reason>")
    return {"force": "true", "reason": " ".join(words[1:])}


def _planned(words: list[str], terms: PlaybookTerms) -> dict[str, str]:
    if len(words) > 1 or (words and not _NAME.match(words[0])):
        raise ValueError("name at most one maintenance window, e.g. /planned db-upgrade")
    return {"window": words[0]} if words else {"window": ""}


# The keywords of /maintenance start, each taking the words up to the next one.
_WINDOW_KEYS: Final = ("component:", "components:", "reason:", "title:")


def _maintenance(words: list[str], terms: PlaybookTerms) -> dict[str, str]:
    """``start <duration> [component: a, b] [title: …] [--freeze-deploys] reason: …`` or ``end [#N]``."""
    action = words[0].lower() if words else ""
    if action == "end":
        match = _ISSUE.match(words[1]) if len(words) == 2 else None
        if len(words) > 2 or (len(words) == 2 and not match):
            raise ValueError("end takes at most the window's issue, e.g. /maintenance end #57")
        return {"action": "end", **({"number": match.group(1)} if match else {})}
    if action != "start" or len(words) < 2:
        raise ValueError("start a window (/maintenance start 2h component: billing reason: …) or end one")
    try:
        minutes = parse_minutes(words[1])
    except OpsError as error:
        raise ValueError(error.message) from None
    args = {"action": "start", "minutes": str(minutes), "components": "", "reason": "", "title": ""}
    flags = [word for word in words[2:] if word == FREEZE_FLAG]
    key = None
    parts: dict[str, list[str]] = {}
    for word in (word for word in words[2:] if word != FREEZE_FLAG):
        if word.lower() in _WINDOW_KEYS:
            key = {"component:": "components"}.get(word.lower(), word.lower().removesuffix(":"))
            parts.setdefault(key, [])
        elif key is None:
            raise ValueError(f"{word!r}: say what it is with component:, title: or reason:")
        else:
            parts[key].append(word)
    args.update({name: " ".join(text) for name, text in parts.items()})
    args["components"] = ",".join(c.strip() for c in args["components"].split(",") if c.strip())
    if not args["reason"]:
        raise ValueError("say why with reason: …")
    return {**args, **({"freeze_deploys": "true"} if flags else {})}


PUBLIC_PREFIX: Final = "public:"
_DISPATCHES = "dispatches the playbook's {} workflow; the watch follows the run"
HOTFIX_FLAG: Final = "--hotfix"
FREEZE_FLAG: Final = "--freeze-deploys"

# In the order /help lists them.
SLASH_COMMANDS: Final[dict[str, SlashCommand]] = {
    command.name: command
    for command in (
        SlashCommand(
            "status",
            "/status <status> [next <N>m] <text> [public: <text for customers>]",
            "posts the playbook's status template, swaps the status label, sets when the next update "
            "is due; the words after `public:` are the update's text on the status page (without "
            "them the page says only the new status); the final status (`resolved`) is refused with "
            "a pointer to `/resolve`",
            _status,
            public=True,
        ),
        SlashCommand(
            "public-title",
            "/public-title <text>",
            "sets the incident's title on the status page (by default one derived from its "
            'components, such as "Degraded performance of billing")',
            _public_title,
            public=True,
        ),
        SlashCommand(
            "sev",
            "/sev <1|2|3> [reason]",
            "changes the severity (title, label, history)",
            _severity,
            public=True,
        ),
        SlashCommand("owner", "/owner @user", "assigns the owner (acknowledges the incident)", _owner),
        SlashCommand("impact", "/impact <text>", "restates the impact", _impact, public=True),
        SlashCommand("deploy", "/deploy [ref]", _DISPATCHES.format("deploy"), _ref),
        SlashCommand(
            "rollback",
            f"/rollback [sha] [{HOTFIX_FLAG}]",
            _DISPATCHES.format("rollback")
            + f"; `{HOTFIX_FLAG}` also opens the playbook's hotfix branch (`hotfix/incident-N`) at the "
            "SHA rolled back to, in the rollback run's own job once the rollback succeeded",
            _rollback,
        ),
        SlashCommand("smoke", "/smoke", _DISPATCHES.format("smoke")),
        SlashCommand(
            "check",
            "/check <checklist item>",
            "ticks a manual item of the resolution checklist, recorded with who and when (ticking "
            "its box in the issue does the same, through `incident-checklist.yml`)",
            _check,
        ),
        SlashCommand(
            "merge",
            "/merge #N",
            "folds incident N into this one (causes, alerts, links, the worse severity); N is closed "
            "as a duplicate",
            _merge,
            public=True,
        ),
        SlashCommand(
            "split",
            "/split <cause>",
            "moves one of the incident's causes (its body lists them) into a new incident, linked both ways",
            _split,
            public=True,
        ),
        SlashCommand(
            "resolve",
            "/resolve [force <reason>]",
            "resolves once the checklist holds: metrics normal long enough, smoke passed, the manual "
            'checks ticked (or records the override); only then are notifications told "resolved"',
            _resolve,
            public=True,
        ),
        SlashCommand("postmortem", "/postmortem", "creates (or refreshes) the postmortem"),
        SlashCommand(
            "planned",
            "/planned [window-id]",
            "marks the incident, open or past, as planned maintenance (of that window): labelled "
            "`planned`, left out of the response figures of `report`, listed there as maintenance",
            _planned,
            public=True,
        ),
        SlashCommand(
            "maintenance",
            f"/maintenance start <duration> [component: a, b] [title: …] [{FREEZE_FLAG}] reason: <text>",
            "starts an ad hoc maintenance window now, as `ops-actions maintenance start` does (its rules "
            "open no incident while it runs); `/maintenance end [#N]` ends one (on its own issue, no number)",
            _maintenance,
        ),
        SlashCommand("help", "/help", "lists the commands"),
    )
}


def may_command(permission: str) -> bool:
    """Only write, maintain and admin may change an incident."""
    return permission in WRITE_PERMISSIONS


def help_text() -> str:
    """The commands and their usage, for /help and error replies."""
    return "\n".join(f"- `{command.usage}`" for command in SLASH_COMMANDS.values())


def usage_list() -> str:
    """Every command's usage on one line, for the ``command`` CLI's --help."""
    return ", ".join(command.usage for command in SLASH_COMMANDS.values())
