"""Atom feeds checked as RFC 4287 says: its RELAX NG schema (tests/data/atom, converted with rnc2rng)
with lxml, and the Schematron rules RELAX NG cannot say, evaluated as XPath."""

from __future__ import annotations

from functools import cache

import rnc2rng
from lxml import etree

from tests.support.paths import ATOM_SCHEMA

NS = {"atom": "http://www.w3.org/2005/Atom"}
SCHEMATRON = "{http://www.ascc.net/xml/schematron}"


@cache
def atom_schema() -> tuple[etree.RelaxNG, list[tuple[str, str]]]:
    """RFC 4287's schema for lxml, and its Schematron rules (context, test) that RELAX NG cannot say."""
    # rnc2rng declares the empty namespace of `local:*` as a prefix, which XML namespaces forbid.
    rng = rnc2rng.dumps(rnc2rng.load(str(ATOM_SCHEMA))).replace(' xmlns:local=""', "")
    root = etree.fromstring(rng.encode("utf-8"))
    rules = [(a.getparent().get("context"), a.get("test")) for a in root.iter(f"{SCHEMATRON}assert")]
    assert len(rules) == 3, "the RFC's schema has three Schematron assertions"
    return etree.RelaxNG(root), rules


def checked_feed(content: str) -> etree._Element:
    """A feed's text parsed, after checking it is Atom (the schema and the Schematron rules)."""
    feed = etree.fromstring(content.encode("utf-8"))
    schema, rules = atom_schema()
    assert schema.validate(feed), schema.error_log
    for context, test in rules:
        for node in feed.xpath(f"//{context}", namespaces=NS):
            assert node.xpath(f"boolean({test})", namespaces=NS), f"{context}: {test}"
    return feed
