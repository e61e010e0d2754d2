"""The packaged playbook (ops_actions/playbook.yaml) is this repository's ./playbook.yaml, byte for byte."""

from __future__ import annotations

from ops_actions.playbook import bundled_playbook_text
from tests.support.paths import BUNDLED_PLAYBOOK, PLAYBOOK


def test_the_bundled_playbook_is_this_repositorys_playbook_byte_for_byte() -> None:
    """The package's default is a copy of ./playbook.yaml (what this repository's workflows run)."""
    assert (BUNDLED_PLAYBOOK).read_bytes() == PLAYBOOK.read_bytes(), (
        "the packaged copy drifted: cp playbook.yaml ops_actions/playbook.yaml"
    )
    assert bundled_playbook_text().encode("utf-8") == PLAYBOOK.read_bytes()
