"""Integrity checks: what makes an experiment's comparison unfair, counted with examples.

- units exposed to more than one variant (left out of every effect and ratio test);
- exposures before the start or after the stop (left out too);
- requests served by a model version the variant had not declared at that time: the
  ``experiment_mismatch`` anomaly rule, run over the experiment's time;
- feature flags that differ inside one arm (a flag flipped mid-experiment).

Examples are request uids; a caller who may not see recommendations gets the counts only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from graph_lineage.anomalies.finding import Window
from graph_lineage.anomalies.rules.base import plural
from graph_lineage.anomalies.rules.experiments import ExperimentMismatch
from graph_lineage.experiments.design import Design
from graph_lineage.experiments.exposure import EXAMPLES, Exposure
from graph_lineage.lineage.visibility import Visibility
from graph_lineage.store.connection import Store


@dataclass(frozen=True)
class IntegrityCheck:
    name: str
    passed: bool
    count: int  # units or requests, as the summary says
    summary: str
    examples: list[str] = field(default_factory=list)
    hidden_examples: int = 0  # examples the caller may not see


def check_integrity(
    store: Store, design: Design, exposure: Exposure, since: datetime, visibility: Visibility
) -> list[IntegrityCheck]:
    checks = [
        _multiple_variants(exposure),
        _outside_run(design, exposure),
        _undeclared_models(store, design, since),
        _flags_within_arms(design, exposure),
    ]
    return [_redacted(check, visibility) for check in checks]


def _multiple_variants(exposure: Exposure) -> IntegrityCheck:
    crossed = [u for u in exposure.units.values() if len(u.requests) > 1]
    requests = sum(u.total_requests for u in crossed)
    examples = [uid for u in crossed[:EXAMPLES] for uid in u.examples.values()]
    pairs = Counter(" and ".join(sorted(u.requests)) for u in crossed)
    which = "; ".join(f"{n} saw {pair}" for pair, n in pairs.most_common())
    summary = (
        f"{plural(len(crossed), 'unit')} saw more than one variant ({which}), with"
        f" {plural(requests, 'request')}: left out of the analysis"
        if crossed
        else "every unit saw one variant"
    )
    return IntegrityCheck("multiple_variants", not crossed, len(crossed), summary, examples)


def _outside_run(design: Design, exposure: Exposure) -> IntegrityCheck:
    before, after = exposure.outside["before"], exposure.outside["after"]
    parts = []
    if before:
        parts.append(f"{plural(before, 'request')} before the start")
    if after:
        parts.append(f"{plural(after, 'request')} after a stop")
    summary = (
        " and ".join(parts) + f" of {design.uid}: left out of the analysis"
        if parts
        else "every exposure falls between the start and the stop"
    )
    examples = exposure.outside_examples["before"] + exposure.outside_examples["after"]
    return IntegrityCheck("outside_run", not parts, before + after, summary, examples)


def _undeclared_models(store: Store, design: Design, since: datetime) -> IntegrityCheck:
    findings = [
        f for f in ExperimentMismatch().scan(store, Window(since=since)) if design.uid in f.evidence
    ]
    served = sum(f.count for f in findings)
    summary = (
        "; ".join(f.summary for f in findings)
        if findings
        else "every request was served by the model version its variant declared"
    )
    examples = [f.key for f in findings[:EXAMPLES]]
    return IntegrityCheck("undeclared_model_version", not findings, served, summary, examples)


def _flags_within_arms(design: Design, exposure: Exposure) -> IntegrityCheck:
    spreads, examples, requests = [], [], 0
    for variant in design.variants:
        seen = {f: n for (v, f), n in exposure.flag_requests.items() if v == variant}
        if len(seen) > 1:
            spread = "; ".join(f"{flags}: {n:,}" for flags, n in sorted(seen.items()))
            spreads.append(f"{variant} ({spread} requests)")
            examples += [exposure.flag_examples[(variant, f)] for f in sorted(seen)]
            requests += sum(seen.values())
    summary = (
        "feature flags differ inside " + ", ".join(spreads)
        if spreads
        else "each arm ran under one set of feature flags"
    )
    return IntegrityCheck("flags_within_arm", not spreads, requests, summary, examples)


def _redacted(check: IntegrityCheck, visibility: Visibility) -> IntegrityCheck:
    shown = visibility.visible_uids(check.examples)
    return IntegrityCheck(
        check.name,
        check.passed,
        check.count,
        check.summary,
        shown,
        len(check.examples) - len(shown),
    )
