"""Shared fixtures: real local servers the tests talk HTTP to."""

pytest_plugins = [
    "tests.fixtures.act",
    "tests.fixtures.backend",
    "tests.fixtures.github",
    "tests.fixtures.receiver",
    "tests.fixtures.world",
]
