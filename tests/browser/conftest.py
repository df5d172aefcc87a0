"""Tests here use the database: each runs in an app context and leaves the tables empty."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_tables(app_context: None) -> None:
    """Use the app context fixture for every test in this folder."""
