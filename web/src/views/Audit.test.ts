import { describe, expect, it } from "vitest";

import { runSummary } from "./Audit";

const run = {
  uid: "record:x",
  runKind: null,
  status: "finished",
  dryRun: false,
  startedAt: null,
  finishedAt: null,
  deletedRecommendations: null,
  deletedOutcomes: null,
  deletedFeatureStatistics: null,
  deletedDriftWindows: null,
  subject: null,
  method: null,
  recommendations: null,
  complete: null,
  share: null,
  passed: null,
  activeKeyId: null,
  resealed: null,
};

describe("runSummary", () => {
  it("says what each kind of run did, from the fields it records", () => {
    expect(runSummary({ ...run, runKind: "key_rotation", dryRun: true, resealed: 8, activeKeyId: "k1" })).toBe(
      "would re-seal 8 values under key k1",
    );
    expect(
      runSummary({
        ...run,
        runKind: "retention",
        deletedRecommendations: 1200,
        deletedOutcomes: 3,
        deletedFeatureStatistics: 0,
        deletedDriftWindows: 4,
      }),
    ).toBe("deleted 1,200 recommendations, 3 outcomes, 0 feature statistics, 4 drift windows");
    expect(
      runSummary({
        ...run,
        runKind: "erasure",
        dryRun: true,
        deletedRecommendations: 2,
        deletedOutcomes: 1,
        subject: "erasure:ab",
      }),
    ).toBe("would delete 2 recommendations and 1 outcome of erasure:ab");
    expect(runSummary({ ...run, runKind: "completeness", recommendations: 200, complete: 199, share: 0.995, passed: true })).toBe(
      "199 of 200 recommendations complete (99.50%); passed",
    );
    expect(runSummary({ ...run, runKind: "completeness" })).toBe("");
  });
});
