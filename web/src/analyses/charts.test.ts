import { describe, expect, it } from "vitest";

import { driftSeries, trafficByDay, usageByDay, type WindowPoint } from "./charts";

const window = (start: string, verdict: string, value: number | null): WindowPoint => ({
  start,
  verdict,
  statistic: value === null ? null : "ks",
  value,
  threshold: value === null ? null : 0.1,
  baseline: "trailing",
  seasonalValue: null,
});

type Series = { name: string; data: unknown[]; markArea?: { data: unknown[] } };

describe("driftSeries", () => {
  const windows = [
    window("2026-11-20T00:00:00+00:00", "unjudged", null),
    window("2026-11-21T00:00:00+00:00", "stable", 0.05),
    window("2026-11-22T00:00:00+00:00", "drift", 0.6),
    window("2026-11-23T00:00:00+00:00", "drift", 0.5),
    window("2026-11-24T00:00:00+00:00", "stable", 0.04),
    window("2026-11-25T00:00:00+00:00", "drift", 0.3),
  ];
  const option = driftSeries(windows) as { xAxis: { data: string[] }; series: Series[] };

  it("labels daily windows by their UTC day", () => {
    expect(option.xAxis.data).toEqual(["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25"]);
  });

  it("draws the statistic, the threshold and the baseline, and shades each drifted run", () => {
    const [statistic, threshold, baseline] = option.series as [Series, Series, Series];
    expect(statistic.name).toBe("ks against the trailing baseline");
    expect(statistic.markArea?.data).toEqual([
      [{ xAxis: "2026-11-22" }, { xAxis: "2026-11-23" }],
      [{ xAxis: "2026-11-25" }, { xAxis: "2026-11-25" }],
    ]);
    expect(threshold.data).toEqual([null, 0.1, 0.1, 0.1, 0.1, 0.1]);
    expect(baseline.data).toEqual([0, 0, 0, 0, 0, 0]);
    expect(option.series).toHaveLength(3); // no seasonal values asked
  });

  it("keeps the hour when windows are hourly", () => {
    const hourly = driftSeries([window("2026-11-20T05:00:00+00:00", "stable", 0.1)]) as { xAxis: { data: string[] } };
    expect(hourly.xAxis.data).toEqual(["2026-11-20 05:00"]);
  });
});

describe("traffic charts", () => {
  it("stack what goes through the change on the rest", () => {
    const option = trafficByDay([{ day: "2026-11-27", recommendations: 30, total: 93 }]) as { series: Series[] };
    expect(option.series.map((s) => s.data)).toEqual([[30], [63]]);
  });

  it("give each segment its series, zero on the days it had none", () => {
    const option = usageByDay([
      { day: "2026-11-23", segment: "new", count: 4 },
      { day: "2026-11-22", segment: "power", count: 2 },
    ]) as { xAxis: { data: string[] }; series: Series[] };
    expect(option.xAxis.data).toEqual(["2026-11-22", "2026-11-23"]);
    expect(option.series.map((s) => [s.name, s.data])).toEqual([
      ["new", [0, 4]],
      ["power", [2, 0]],
    ]);
  });
});
