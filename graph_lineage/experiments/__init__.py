"""Experiment analysis tied to lineage."""

from __future__ import annotations

__all__: list[str] = []
