"""A change plan's report as Markdown (for a pull request) and as JSON (for a pipeline).

The Markdown opens with the risk level and its reasons, then tables of what the plan
touches, its traffic by day and by segment, the owners to tell and what has no
replacement; it renders on GitHub and reads as plain text. The JSON holds the same facts
with uids, counts and ISO dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from graph_lineage.change_plans.assessment import ChangeImpact, PlanImpact, Traffic
from graph_lineage.lineage.model import Node
from graph_lineage.store.values import moment


def change_plan_json(result: PlanImpact) -> dict[str, Any]:
    window = result.window
    return {
        "title": result.plan.title,
        "as_of": result.window.as_of.isoformat(),
        "window": {
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
            "days": len(window.days),
        },
        "level": result.level.label,
        "reasons": [
            {"change": change.index, "level": r.level.label, "rule": r.rule, "message": r.message}
            for change in result.changes
            for r in change.reasons
        ],
        "changes": [_change_json(change) for change in result.changes],
        **_touched_json(result),
        "recommendations": result.traffic.recommendations,
        "all_recommendations": result.totals.recommendations,
        "share": round(result.share, 4),
        "by_day": [
            {"day": day.isoformat(), "recommendations": count, "all": result.totals.by_day[day]}
            for day, count in result.traffic.by_day.items()
        ],
        "by_segment": [
            {"segment": segment, "recommendations": count, "all": total}
            for segment, count, total in _segments(result.traffic, result.totals)
        ],
        "by_model_version": dict(_ranked(result.traffic.by_model_version)),
        "owners": result.owners,
        "replacements": result.replacements,
        "without_replacement": result.without_replacement,
        "hidden": result.hidden,
    }


def _touched_json(result: PlanImpact | ChangeImpact) -> dict[str, Any]:
    return {
        "feature_versions": _uids(result.feature_versions),
        "model_versions": _uids(result.model_versions),
        "deployments": _uids(result.deployments),
        "active_deployments": result.active_deployments,
        "variants": _uids(result.variants),
        "experiments": _uids(result.experiments),
        "running_experiments": result.running_experiments,
    }


def _change_json(change: ChangeImpact) -> dict[str, Any]:
    return {
        "index": change.index,
        "action": change.change.action,
        "target": change.target.uid,
        "replacement": change.replacement.uid if change.replacement else None,
        "level": change.level.label,
        "reasons": [
            {"level": r.level.label, "rule": r.rule, "message": r.message} for r in change.reasons
        ],
        **_touched_json(change),
        "recommendations": change.recommendations,
        "share": round(change.share, 4),
        "replacements": change.replacements,
        "hidden": change.hidden,
    }


def change_plan_markdown(result: PlanImpact) -> str:
    """The report a reviewer reads in a pull request."""
    sections = [
        _headline(result),
        _reasons(result),
        _changes(result),
        _model_versions(result),
        _deployments(result),
        _experiments(result),
        _feature_versions(result),
        _traffic(result),
        _owners(result),
        _without_replacement(result),
        _hidden(result),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _headline(result: PlanImpact) -> str:
    window, traffic = result.window, result.traffic
    title = _text(result.plan.title or "; ".join(c.change.describe() for c in result.changes))
    return "\n".join(
        [
            f"# Change plan: {title}",
            "",
            f"**Risk: {result.level.label.upper()}**",
            "",
            f"Judged as of {_when(window.as_of)}. Traffic of the {len(window.days)} days from"
            f" {window.start.isoformat()} to {window.days[-1].isoformat() if window.days else '-'}:"
            f" {traffic.recommendations:,} of {result.totals.recommendations:,} recommendations"
            f" ({result.share:.0%}) went through what this plan changes.",
        ]
    )


def _reasons(result: PlanImpact) -> str:
    rows = [
        [str(change.index), r.level.label, r.rule, _text(r.message)]
        for change in result.changes
        for r in sorted(change.reasons, key=lambda r: -r.level)
    ]
    return _section("Why", ["change", "risk", "rule", "reason"], rows)


def _changes(result: PlanImpact) -> str:
    rows = [
        [
            str(c.index),
            _describe(c),
            c.level.label,
            str(len(c.model_versions)),
            str(len(c.active_deployments)),
            str(len(c.running_experiments)),
            f"{c.recommendations:,}",
            f"{c.share:.0%}",
        ]
        for c in result.changes
    ]
    header = [
        "#",
        "change",
        "risk",
        "model versions",
        "active deployments",
        "running experiments",
        "recommendations",
        "share",
    ]
    return _section("Changes", header, rows)


def _describe(change: ChangeImpact) -> str:
    text = f"{change.change.action} {_code(change.target.uid)}"
    if change.replacement is not None:
        text += f" with {_code(change.replacement.uid)}"
    return text


def _model_versions(result: PlanImpact) -> str:
    active = set(result.active_deployments)
    deployed: dict[str, list[str]] = {}
    for node in result.deployments:
        label = _code(node.uid) + (" (active)" if node.uid in active else "")
        deployed.setdefault(str(node.properties.get("model_version")), []).append(label)
    rows = [
        [
            _code(node.uid),
            _when(node.properties.get("trained_at")),
            _text(node.properties.get("owner") or "-"),
            ", ".join(deployed.get(node.uid, [])) or "-",
            _replacement(result, node.uid),
        ]
        for node in result.model_versions
    ]
    header = ["model version", "trained", "owner", "deployments", "replacement"]
    return _section("Model versions", header, rows, "No model version is affected.")


def _deployments(result: PlanImpact) -> str:
    active = set(result.active_deployments)
    rows = []
    for node in result.deployments:
        model_version = str(node.properties.get("model_version"))
        status = "active" if node.uid in active else "inactive"
        move = _replacement(result, model_version) if node.uid in active else "-"
        rows.append([_code(node.uid), _code(model_version), status, move])
    header = ["deployment", "model version", "at as_of", "move to"]
    return _section("Deployments", header, rows, "No deployment is affected.")


def _experiments(result: PlanImpact) -> str:
    running = set(result.running_experiments)
    arms: dict[str, list[str]] = {}
    for variant in result.variants:
        name = str(variant.properties.get("experiment"))
        arms.setdefault(f"experiment:{name}", []).append(_code(variant.uid))
    rows = [
        [
            _code(node.uid),
            "running" if node.uid in running else _status(node),
            ", ".join(arms.get(node.uid, [])) or "-",
        ]
        for node in result.experiments
    ]
    header = ["experiment", "at as_of", "affected variants"]
    return _section("Experiments and variants", header, rows, "No experiment is affected.")


def _status(experiment: Node) -> str:
    return "stopped" if experiment.properties.get("stopped_at") else "not running"


def _feature_versions(result: PlanImpact) -> str:
    rows = [
        [
            _code(node.uid),
            _text(node.properties.get("owner") or "-"),
            _replacement(result, node.uid),
        ]
        for node in result.feature_versions
    ]
    header = ["feature version", "owner", "replacement"]
    empty = "No other feature version is derived from what changes."
    return _section("Derived feature versions", header, rows, empty)


def _traffic(result: PlanImpact) -> str:
    traffic, totals = result.traffic, result.totals
    days = [
        [
            day.isoformat(),
            f"{count:,}",
            f"{totals.by_day[day]:,}",
            _share(count, totals.by_day[day]),
        ]
        for day, count in traffic.by_day.items()
    ]
    segments = [
        [_text(segment), f"{count:,}", f"{total:,}", _share(count, total)]
        for segment, count, total in _segments(traffic, totals)
    ]
    models = [[_code(model), f"{count:,}"] for model, count in _ranked(traffic.by_model_version)]
    return "\n\n".join(
        [
            "## Traffic",
            _table(["day", "through the plan", "all", "share"], days),
            _table(["segment", "through the plan", "all", "share"], segments),
            _table(["served by", "recommendations"], models) if models else "",
        ]
    ).rstrip()


def _owners(result: PlanImpact) -> str:
    rows = [
        [_text(owner), ", ".join(_code(uid) for uid in owned)]
        for owner, owned in result.owners.items()
    ]
    return _section("Owners to tell", ["owner", "affected"], rows, "No owner is recorded.")


def _without_replacement(result: PlanImpact) -> str:
    missing = result.without_replacement
    if not missing:
        return "## Without replacement\n\nEvery affected version has a replacement."
    lines = [f"- {_code(uid)}" for uid in missing]
    return "## Without replacement\n\n" + "\n".join(lines)


def _hidden(result: PlanImpact) -> str:
    if not result.hidden:
        return ""
    counts = ", ".join(f"{count} {kind}" for kind, count in sorted(result.hidden.items()))
    return f"_Left out, as your role may not see them: {counts}._"


def _replacement(result: PlanImpact, uid: str) -> str:
    replacements = result.replacements
    if uid not in replacements:
        return "-"
    new = replacements[uid]
    return _code(new) if new is not None else "**none**"


def _segments(traffic: Traffic, totals: Traffic) -> list[tuple[str, int, int]]:
    return [
        (segment, traffic.by_segment.get(segment, 0), total)
        for segment, total in _ranked(totals.by_segment)
    ]


def _ranked(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _section(title: str, header: list[str], rows: list[list[str]], empty: str = "") -> str:
    body = _table(header, rows) if rows else empty
    return f"## {title}\n\n{body}"


def _table(header: list[str], rows: Iterable[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def _code(uid: str) -> str:
    return f"`{uid}`"


def _text(value: Any) -> str:
    """A table cell: one line, pipes escaped."""
    return " ".join(str(value).split()).replace("|", "\\|")


def _when(value: Any) -> str:
    value = moment(value)
    return (
        value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if isinstance(value, datetime) else "-"
    )


def _uids(nodes: list[Node]) -> list[str]:
    return [node.uid for node in nodes]
