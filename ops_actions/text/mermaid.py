"""Mermaid diagrams GitHub renders in issues: an incident timeline, signals over time, a pie.

Text that people wrote (titles, summaries) is reduced to characters Mermaid treats as plain text,
so a title can never break, or inject into, a diagram.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

# Arrows stay: a label such as "queue 40 → 3" says what changed.
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9 .,'!?@/_+=%&()\-→←↑↓…]")
MAX_POINTS: Final = 24


def plain(text: str, limit: int = 80) -> str:
    """Text safe inside a Mermaid label: no colons, semicolons, quotes, brackets or hashes; one cut
    short ends at a word, with an ellipsis."""
    cleaned = " ".join(_UNSAFE.sub(" ", text).split())
    if len(cleaned) > limit:
        cut = cleaned[: limit - 1]
        cleaned = (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut).rstrip(" ,.") + "…"
    return cleaned or "-"


def fenced(diagram: str) -> str:
    """A ```mermaid block for Markdown."""
    return f"```mermaid\n{diagram}\n```"


def timeline(title: str, sections: Sequence[tuple[str, Sequence[tuple[str, Sequence[str]]]]]) -> str:
    """A ``timeline``: sections of (time label, its events) pairs; empty sections are left out.

    Each event is a label of its own (``09h20 : severity SEV-2 → none : queue_depth.queued 40 → 3``),
    so a long entry is never cut to one label that loses the values at its end."""
    lines = ["timeline", f"    title {plain(title)}"]
    for name, periods in sections:
        if not periods:
            continue
        lines.append(f"    section {plain(name)}")
        lines += [
            f"        {plain(when, 20)} : " + " : ".join(plain(event) for event in events)
            for when, events in periods
        ]
    return "\n".join(lines)


def line_chart(
    title: str, labels: Sequence[str], series: Mapping[str, Sequence[float]], *, unit: str = "count"
) -> str:
    """An ``xychart-beta`` with one line per series (the legend goes in the title, in series order);
    ``unit`` names the y axis."""
    labels = list(labels)[-MAX_POINTS:]
    names = list(series)
    values = {name: [float(v) for v in series[name]][-MAX_POINTS:] for name in names}
    top = max([v for vs in values.values() for v in vs] + [1.0])
    legend = ", ".join(f"{index + 1} {plain(name, 30)}" for index, name in enumerate(names))
    # One line needs no legend: the title names it.
    shown = (
        plain(title, 60) if len(names) == 1 and names[0] == title else f"{plain(title, 60)} (lines: {legend})"
    )
    lines = [
        "xychart-beta",
        f'    title "{shown}"',
        "    x-axis [" + ", ".join(f'"{plain(label, 12)}"' for label in labels) + "]",
        f'    y-axis "{plain(unit, 30)}" 0 --> {int(top * 1.1) + 1}',
    ]
    lines += ["    line [" + ", ".join(f"{v:g}" for v in values[name]) + "]" for name in names]
    return "\n".join(lines)


def pie(title: str, counts: Mapping[str, int]) -> str:
    """A ``pie`` chart of counts (zero counts are left out)."""
    lines = [f"pie title {plain(title)}"]
    lines += [f'    "{plain(name, 40)}" : {count}' for name, count in counts.items() if count > 0]
    return "\n".join(lines)
