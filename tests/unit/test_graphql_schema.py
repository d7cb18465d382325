"""The exported SDL is the contract: it must match the code."""

from __future__ import annotations

from pathlib import Path

from api.graphql import render_sdl

SDL = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


def test_the_exported_sdl_is_current() -> None:
    assert SDL.read_text() == render_sdl(), (
        "schema/schema.graphql drifted from the code: run `graph-lineage export-schema`"
    )


def test_the_contract_queries_are_there() -> None:
    sdl = render_sdl()
    for signature in (
        "node(uid: ID!): LineageNode",
        "upstream(uid: ID!, depth: Int! = 3, asOf: DateTime = null, kinds: [String!] = null,"
        " maxNodes: Int! = 1000)",
        "downstream(\n    uid: ID!\n    depth: Int! = 3\n    asOf: DateTime = null\n"
        "    kinds: [String!] = null\n    maxNodes: Int! = 1000\n",
        "search(text: String!, kinds: [String!] = null, first: Int! = 10): SearchResult!",
        "trace(recommendationId: ID!): Trace",
        "impact(uid: ID!, since: DateTime = null): Impact!",
        "recommendations(filter: RecommendationFilterInput = null, first: Int! = 50,",
        "lineageDiff(a: ID!, b: ID!): LineageDiff!",
        "changePlan(change: ChangePlanInput!): ChangePlanReport!",
        "impactAnalysis(change: ChangePlanInput!): ImpactAnalysis! @deprecated(",
        "driftAlerts(filter: DriftAlertFilterInput = null, first: Int! = 50,"
        " after: String = null): DriftAlertConnection!",
        "driftReport(uid: ID!, from: DateTime = null, to: DateTime = null,"
        " baseline: DriftBaseline = null): DriftReport!",
        "experimentReport(experiment: ID!, from: DateTime = null, to: DateTime = null,"
        " metrics: [String!] = null, segments: [String!] = null, method: ExperimentMethod = null,"
        " correction: MultipleComparisonCorrection = null): ExperimentReport!",
        "experiments(filter: ExperimentFilterInput = null, first: Int! = 100):"
        " [ExperimentListing!]!",
    ):
        assert signature in sdl, signature
