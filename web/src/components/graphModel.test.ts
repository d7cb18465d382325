import { describe, expect, it } from "vitest";

import { type Drawn, pathEdges, shortestPath, shortLabel } from "./graphModel";

const drawn: Drawn = {
  nodes: ["source:a", "feature:f@v1", "feature:g@v1", "model:m@v1", "source:lonely"].map((id) => ({
    id,
    kind: "x",
    label: id,
  })),
  edges: [
    { source: "feature:f@v1", target: "source:a", type: "DERIVED_FROM" },
    { source: "feature:g@v1", target: "feature:f@v1", type: "DERIVED_FROM" },
    { source: "model:m@v1", target: "feature:g@v1", type: "TRAINED_ON" },
    { source: "model:m@v1", target: "source:a", type: "TRAINED_ON" },
  ],
};

describe("shortestPath", () => {
  it("walks edges either way and takes the fewest steps", () => {
    expect(shortestPath(drawn, "source:a", "model:m@v1")).toEqual(["source:a", "model:m@v1"]);
    expect(shortestPath(drawn, "feature:g@v1", "source:a")).toEqual(["feature:g@v1", "feature:f@v1", "source:a"]);
  });

  it("finds nothing between parts that do not touch", () => {
    expect(shortestPath(drawn, "source:a", "source:lonely")).toEqual([]);
    expect(shortestPath(drawn, "source:lonely", "source:lonely")).toEqual(["source:lonely"]);
  });

  it("gives the edges along the path", () => {
    const path = shortestPath(drawn, "feature:g@v1", "source:a");
    expect(pathEdges(drawn, path).map((e) => e.type)).toEqual(["DERIVED_FROM", "DERIVED_FROM"]);
  });
});

describe("shortLabel", () => {
  it("drops the kind's prefix and shortens fingerprints", () => {
    expect(shortLabel("feature:user_ctr_7d@v3")).toBe("user_ctr_7d@v3");
    expect(shortLabel("context:be076b13b203c771c63b2feb7fbfecd9")).toBe("context be076b13");
  });
});
