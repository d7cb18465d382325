import { describe, expect, it } from "vitest";

import { EXAMPLE_PLAN, goingAway, parsePlan } from "./changePlan";

describe("parsePlan", () => {
  it("reads the command line's YAML, with a date alone as midnight UTC", () => {
    const parsed = parsePlan(`title: price cleanup
as_of: 2026-10-31
window_days: 2
changes:
  - deprecate: feature:item_price@v1
  - retire: model:reranker@v1
`);
    expect(parsed.problems).toEqual([]);
    expect(parsed.plan).toEqual({
      title: "price cleanup",
      asOf: "2026-10-31T00:00:00Z",
      windowDays: 2,
      changes: [{ deprecate: "feature:item_price@v1" }, { retire: "model:reranker@v1" }],
    });
  });

  it("reads GraphQL's ChangePlanInput as JSON", () => {
    const parsed = parsePlan(
      '{"asOf": "2026-10-31T00:00:00Z", "windowDays": 7, "changes": [{"replace": "feature:a@v1", "with": "feature:a@v2"}]}',
    );
    expect(parsed.plan).toEqual({
      asOf: "2026-10-31T00:00:00Z",
      windowDays: 7,
      changes: [{ replace: "feature:a@v1", with: "feature:a@v2" }],
    });
  });

  it("keeps a timestamp YAML writes unquoted as the text it is", () => {
    const parsed = parsePlan("as_of: 2026-10-31T00:00:00Z\nchanges:\n  - drop: source:orders\n");
    expect(parsed.plan?.asOf).toBe("2026-10-31T00:00:00Z");
  });

  it("names every problem of the shape at once, by change", () => {
    const parsed = parsePlan(`owner: me
window_days: 0
changes:
  - replace: feature:a@v1
  - deprecate: feature:b@v1
    drop: source:c
  - retire: model:r@v1
    with: model:r@v2
`);
    expect(parsed.plan).toBeNull();
    expect(parsed.problems).toEqual([
      "`owner` is not a key of a plan: it has title, as_of, window_days and changes",
      "`window_days`: write a whole number of days from 1 to 365",
      "change 1: replace needs `with`, the version taking over",
      "change 2: a change needs exactly one of replace, deprecate, drop, retire",
      "change 3: `with` is not part of a retire change (it takes retire)",
    ]);
  });

  it("says when the text is not YAML at all, or has no changes", () => {
    expect(parsePlan("changes: [").problems[0]).toMatch(/^not YAML or JSON: /);
    expect(parsePlan("title: nothing").problems).toEqual([
      "`changes`: list at least one change (replace, deprecate, drop or retire)",
    ]);
  });

  it("parses its own example", () => {
    expect(parsePlan(EXAMPLE_PLAN).plan?.changes).toEqual([
      { replace: "feature:user_ctr_7d@v2", with: "feature:user_ctr_7d@v3" },
    ]);
  });
});

describe("goingAway", () => {
  it("is the change that takes a node away, for the kinds a plan names", () => {
    expect(goingAway("source:clickstream")).toEqual({ drop: "source:clickstream" });
    expect(goingAway("feature:user_ctr_7d@v2")).toEqual({ deprecate: "feature:user_ctr_7d@v2" });
    expect(goingAway("model:ranker@v2")).toEqual({ retire: "model:ranker@v2" });
    expect(goingAway("feature:user_ctr_7d")).toBeNull();
    expect(goingAway("experiment:ranker-v3-rollout")).toBeNull();
  });
});
