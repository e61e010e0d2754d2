"""Hypothesis settings and strategies the property tests share."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# Plain text as people type it: no control characters except tab and newline (U+2028 and U+2029,
# line breaks to Python but not to CommonMark, are in).
typed_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"), include_characters="\t\n"),
    max_size=80,
)
