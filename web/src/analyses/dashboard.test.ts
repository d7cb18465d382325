import { describe, expect, it } from "vitest";

import { axisPoints, type Dashboard, keysOf, rateOf, stackedBars, timeAxisChart, type TrafficBucket } from "./dashboard";

const day = (start: string, recommendations: number, models: [string, number][], clicks = 0): TrafficBucket => ({
  start: `${start}T00:00:00+00:00`,
  end: new Date(Date.parse(`${start}T00:00:00Z`) + 86_400_000).toISOString(),
  recommendations,
  byModelVersion: models.map(([key, count]) => ({ key, count })),
  byVariant: [{ key: "(none)", count: recommendations }],
  outcomes: recommendations ? [{ kind: "click", count: clicks, rate: clicks / recommendations }] : [],
});

const buckets = [
  day(
    "2026-10-01",
    10,
    [
      ["model:a@v1", 4],
      ["model:b@v1", 6],
    ],
    3,
  ),
  day("2026-10-02", 0, []),
  day("2026-10-03", 5, [["model:a@v1", 5]]),
];

describe("the dashboard's charts", () => {
  it("orders series by their traffic over the range, ties by name", () => {
    expect(keysOf(buckets, (b) => b.byModelVersion)).toEqual(["model:a@v1", "model:b@v1"]);
  });

  it("gives an empty bucket no rate rather than a zero one", () => {
    expect(buckets.map((b) => rateOf(b, "click"))).toEqual([0.3, null, 0]);
  });

  it("stands each bar at the middle of its bucket", () => {
    const option = stackedBars(buckets, ["model:a@v1"], (b) => b.byModelVersion, ["2026-10-01", "2026-10-04"]) as {
      series: { data: [number, number][] }[];
    };
    const [first] = option.series[0]?.data ?? [];
    expect(first).toEqual([Date.parse("2026-10-01T12:00:00Z"), 4]);
  });

  it("puts each change, anomaly and drift onset on its row, and the axis around them all", () => {
    const data = {
      changes: [{ at: "2026-10-02T02:00:00Z", kind: "deployment", uid: "deployment:a/production@v1", name: "a@v1 (production)" }],
      anomalies: [
        {
          uid: "anomaly:x",
          rule: "version_skew",
          severity: "warning",
          summary: "skew",
          count: 1,
          firstSeen: "2026-10-09T00:00:00Z",
          lastSeen: null,
        },
      ],
      driftAlerts: [
        {
          uid: "drift:y",
          signal: "s",
          severity: "critical",
          verdict: "drift",
          summary: "shift",
          onset: "2026-09-30T00:00:00Z",
          lastWindow: null,
        },
      ],
    } as unknown as Dashboard;
    const points = axisPoints(data);
    expect(points.map((p) => p.row)).toEqual(["Deployments", "Anomalies", "Drift alerts"]);
    expect(points[0]?.label).toBe("Deployment: a@v1 (production)");
    const option = timeAxisChart(points, ["2026-10-01T00:00:00Z", "2026-10-04T00:00:00Z"]) as {
      xAxis: { min: string; max: string };
    };
    expect(option.xAxis).toMatchObject({ min: "2026-09-30T00:00:00Z", max: "2026-10-09T00:00:00Z" });
  });
});
