import { describe, expect, it } from "vitest";

import { armRows } from "./ArmsLineage";

const arm = (variant: string, model: string, flags: string) => ({
  variant,
  requests: 10,
  modelVersions: [{ uid: model, share: 1 }],
  featureVersions: [{ uid: "feature:a@v1", share: variant === "control" ? 1 : 0.6 }],
  trainedOn: [],
  sources: [],
  flags: [{ flags, share: 1 }],
});

describe("armRows", () => {
  it("lists every node any arm served with each arm's share and the gap", () => {
    const rows = armRows([arm("control", "model:r@v2", "boost=False"), arm("treatment", "model:r@v3", "boost=False")]);
    expect(rows.map((r) => [r.what, r.uid, r.shares, Number(r.difference.toFixed(2))])).toEqual([
      ["model version", "model:r@v2", { control: 1, treatment: 0 }, 1],
      ["model version", "model:r@v3", { control: 0, treatment: 1 }, 1],
      ["feature version served", "feature:a@v1", { control: 1, treatment: 0.6 }, 0.4],
      ["flags", "boost=False", { control: 1, treatment: 1 }, 0],
    ]);
  });
});
