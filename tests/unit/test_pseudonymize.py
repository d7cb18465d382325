from __future__ import annotations

from pathlib import Path

import pytest

from graph_lineage.errors import ConfigurationError
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.settings import Settings


def test_pseudonyms_are_stable_per_key_and_hide_the_id() -> None:
    one = Pseudonymizer(b"a" * 32)

    assert one.pseudonym("alice") == one.pseudonym("alice")
    assert one.pseudonym("alice") != one.pseudonym("bob")
    assert one.pseudonym("alice") != Pseudonymizer(b"b" * 32).pseudonym("alice")
    assert "alice" not in one.pseudonym("alice")


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="at least 16 bytes"):
        Pseudonymizer(b"short")


def test_no_key_outside_the_demo_is_a_startup_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="GRAPH_LINEAGE_PSEUDONYMIZATION_KEY"):
        Pseudonymizer.from_settings(Settings(local_home=tmp_path))


def test_the_demo_generates_and_keeps_a_private_key(tmp_path: Path) -> None:
    settings = Settings(local_home=tmp_path, demo=True)

    first = Pseudonymizer.from_settings(settings).pseudonym("alice")

    key_file = tmp_path / "pseudonymization-key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert Pseudonymizer.from_settings(settings).pseudonym("alice") == first
