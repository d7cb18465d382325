import { describe, expect, it } from "vitest";

import { drawnOf, timelineOf as traceTimeline, type TraceAnswer } from "../views/Recommendation";
import { momentsOf, stepOf } from "./AsOfSlider";
import { diffRows } from "./LineageDiff";
import { timelineOf as nodeTimeline } from "./NodePanel";

describe("the as-of slider", () => {
  const moments = momentsOf(["2026-11-03T02:00:00+00:00", null, "2026-11-01T00:00:00.123456+00:00", "2026-11-03T02:00:00+00:00"]);

  it("steps through distinct moments, oldest first, written as the API wrote them", () => {
    expect(moments).toEqual(["2026-11-01T00:00:00.123456+00:00", "2026-11-03T02:00:00+00:00"]);
  });

  it("stands at the last moment not after as-of, or at the end for now", () => {
    expect(stepOf(moments, null)).toBe(2);
    expect(stepOf(moments, "2026-11-02T00:00:00Z")).toBe(0);
    expect(stepOf(moments, "2026-11-03T02:00:00+00:00")).toBe(1);
  });
});

describe("a node's timeline", () => {
  it("takes every time among its properties and when its other versions began", () => {
    const entries = nodeTimeline({
      uid: "feature:f@v2",
      properties: { materialized_at: "2026-11-05T00:00:00Z", owner: "team", valid_from: "2026-11-05T00:00:00Z" },
      versions: [
        { uid: "feature:f@v1", validFrom: "2026-11-01T00:00:00Z" },
        { uid: "feature:f@v2", validFrom: "2026-11-05T00:00:00Z" },
      ],
    });
    expect(entries.map((e) => e.what)).toEqual(["feature:f@v1 began", "materialized at", "valid from"]);
  });
});

const trace: NonNullable<TraceAnswer["trace"]> = {
  recommendation: {
    uid: "rec:r1", requestId: "r1", servedAt: "2026-11-10T12:00:00Z", userPseudonym: null, segment: "new", cohort: null,
    items: ["a", "b"], scores: [0.9, 0.1], latencyMs: null, error: null, stub: false,
  },
  context: { uid: "context:c1", fingerprint: "c1", firstSeen: "2026-11-09T00:00:00Z" },
  modelVersion: {
    uid: "model:m@v1", trainedAt: "2026-11-08T00:00:00Z", trainingWindowStart: "2026-10-01T00:00:00Z",
    trainingWindowEnd: "2026-11-01T00:00:00Z", artifactUri: null, artifactHash: "abc", stub: false,
  },
  trainedOn: [{ uid: "feature:f@v1" }],
  servedFeatures: [{ uid: "feature:f@v2", schemaHash: "s2", transformHash: "t2", featureStore: null, materializedAt: "2026-11-05T00:00:00Z" }],
  servedNotTrained: ["feature:f@v2"],
  derivations: [{ source: "feature:f@v2", target: "source:s", type: "DERIVED_FROM" }],
  ancestors: [{ uid: "source:s", kind: "DataSource" }],
  experiment: null,
  variant: null,
  declaredModelVersions: [],
  outcomes: [{ uid: "outcome:o1", itemId: "a", outcomeType: "click", value: 1, observedAt: "2026-11-10T12:01:00Z" }],
  notes: [],
  hidden: [],
};

describe("a trace", () => {
  it("is told in time order, with the hashes of what was served", () => {
    const rows = traceTimeline(trace);
    expect(rows.map((r) => r.event)).toEqual([
      "training window starts",
      "training window ends",
      "feature version materialized",
      "model version trained",
      "context first served",
      "recommendation served",
      "outcome: click",
    ]);
    expect(rows[2]?.detail).toBe("schema s2, transform t2");
  });

  it("is drawn with every node once and every edge between drawn nodes", () => {
    const drawn = drawnOf(trace);
    expect(drawn.nodes.map((n) => n.id).sort()).toEqual(
      ["context:c1", "feature:f@v1", "feature:f@v2", "model:m@v1", "outcome:o1", "rec:r1", "source:s"].sort(),
    );
    expect(drawn.edges.map((e) => e.type).sort()).toEqual(
      ["DERIVED_FROM", "FOR", "HAS_CONTEXT", "TRAINED_ON", "USED_FEATURE", "USED_MODEL"].sort(),
    );
  });
});

describe("a lineage diff", () => {
  it("lists each difference once, model and variant first", () => {
    const rows = diffRows({
      a: "rec:a", b: "rec:b", identical: false, modelVersion: { a: "model:m@v1", b: "model:m@v2" }, variant: null,
      featureChanges: [{ feature: "f", a: "v1", b: null }], ancestryOnlyInA: ["source:s"], ancestryOnlyInB: [], hiddenDifferences: 0,
    });
    expect(rows).toEqual([
      { aspect: "model version", a: "model:m@v1", b: "model:m@v2" },
      { aspect: "feature f", a: "v1", b: "—" },
      { aspect: "ancestry", a: "source:s", b: "—" },
    ]);
  });
});
