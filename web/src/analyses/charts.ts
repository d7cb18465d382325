// What the analyses' charts draw, as ECharts options built from the API's answers. Series
// differ by shape and line style as well as colour (Okabe–Ito), and each chart's data is
// also in a table beside it.
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams, CustomSeriesRenderItemReturn } from "echarts";

import type { ChartOption } from "../components/Chart";
import { type Interval, percent, significant } from "../components/format";
import { PALETTE } from "../components/palette";

const THRESHOLD = "#D55E00"; // vermillion
const BASELINE = "#000000";
const SHADE = "rgba(230, 159, 0, 0.14)"; // orange, light

const grid = { left: 56, right: 24, top: 40, bottom: 48, containLabel: true };
const legend = { top: 0, type: "scroll" };

export interface DayTraffic {
  day: string;
  recommendations: number;
  total: number;
}

export interface SegmentTraffic {
  segment: string;
  recommendations: number;
  total: number;
}

function throughAndRest(categories: string[], through: number[], rest: number[], what: string): ChartOption {
  return {
    grid,
    legend,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "category", data: categories, name: what, nameLocation: "middle", nameGap: 32 },
    yAxis: { type: "value", name: "recommendations", minInterval: 1 },
    series: [
      { name: "through the change", type: "bar", stack: "traffic", data: through },
      {
        name: "the rest",
        type: "bar",
        stack: "traffic",
        data: rest,
        itemStyle: { color: "#FFFFFF", borderColor: PALETTE[0], borderType: "dashed", borderWidth: 1 },
      },
    ],
  };
}

/** Recommendations per day through what the plan changes, stacked on the rest. */
export function trafficByDay(days: DayTraffic[]): ChartOption {
  return throughAndRest(
    days.map((d) => d.day),
    days.map((d) => d.recommendations),
    days.map((d) => d.total - d.recommendations),
    "day (UTC)",
  );
}

export function trafficBySegment(segments: SegmentTraffic[]): ChartOption {
  return throughAndRest(
    segments.map((s) => s.segment),
    segments.map((s) => s.recommendations),
    segments.map((s) => s.total - s.recommendations),
    "segment",
  );
}

export interface Usage {
  day: string;
  segment: string;
  count: number;
}

/** Recommendations per day, one stacked series per segment. */
export function usageByDay(usage: Usage[]): ChartOption {
  const days = [...new Set(usage.map((u) => u.day))].sort();
  const segments = [...new Set(usage.map((u) => u.segment))].sort();
  const counts = new Map(usage.map((u) => [`${u.day}|${u.segment}`, u.count]));
  return {
    grid,
    legend,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "category", data: days, name: "day (UTC)", nameLocation: "middle", nameGap: 32 },
    yAxis: { type: "value", name: "recommendations", minInterval: 1 },
    series: segments.map((segment) => ({
      name: segment,
      type: "bar",
      stack: "usage",
      data: days.map((day) => counts.get(`${day}|${segment}`) ?? 0),
    })),
  };
}

export interface WindowPoint {
  start: string;
  verdict: string | null;
  statistic: string | null;
  value: number | null;
  threshold: number | null;
  baseline: string | null;
  seasonalValue: number | null;
}

const VERDICT_SYMBOL: Record<string, string> = { drift: "triangle", seasonality: "diamond", stable: "circle" };

/** A window's start as the axis names it: the UTC day, with the hour when windows are hourly. */
export function windowLabel(start: string, hourly: boolean): string {
  return hourly ? `${start.slice(0, 10)} ${start.slice(11, 16)}` : start.slice(0, 10);
}

function driftedAreas(labels: string[], windows: WindowPoint[]): [{ xAxis: string }, { xAxis: string }][] {
  const areas: [{ xAxis: string }, { xAxis: string }][] = [];
  windows.forEach((window, index) => {
    if (window.verdict !== "drift") return;
    const last = areas[areas.length - 1];
    const label = labels[index] as string;
    if (last && windows[index - 1]?.verdict === "drift") last[1] = { xAxis: label };
    else areas.push([{ xAxis: label }, { xAxis: label }]);
  });
  return areas;
}

/** One signal's statistic per window, against its threshold and its baseline (no change). */
export function driftSeries(windows: WindowPoint[]): ChartOption {
  const hourly = windows.some((w) => w.start.slice(11, 13) !== "00");
  const labels = windows.map((w) => windowLabel(w.start, hourly));
  const statistic = windows.find((w) => w.statistic)?.statistic ?? "statistic";
  const baseline = windows.find((w) => w.baseline)?.baseline ?? "";
  const series: object[] = [
    {
      name: `${statistic} against the ${baseline} baseline`.replace("  ", " "),
      type: "line",
      connectNulls: false,
      data: windows.map((w) => ({ value: w.value, symbol: VERDICT_SYMBOL[w.verdict ?? ""] ?? "emptyCircle", symbolSize: 9 })),
      markArea: { silent: true, itemStyle: { color: SHADE }, data: driftedAreas(labels, windows) },
    },
    {
      name: "threshold",
      type: "line",
      step: "middle",
      symbol: "none",
      data: windows.map((w) => w.threshold),
      lineStyle: { color: THRESHOLD, type: "dashed", width: 2 },
      itemStyle: { color: THRESHOLD },
    },
    {
      name: "baseline (no change)",
      type: "line",
      symbol: "none",
      data: windows.map(() => 0),
      lineStyle: { color: BASELINE, type: "dotted", width: 1.5 },
      itemStyle: { color: BASELINE },
    },
  ];
  if (windows.some((w) => w.seasonalValue !== null)) {
    series.push({
      name: "against the seasonal baseline",
      type: "line",
      symbol: "rect",
      data: windows.map((w) => w.seasonalValue),
      lineStyle: { type: [6, 3, 1, 3] },
    });
  }
  return {
    grid,
    legend,
    tooltip: { trigger: "axis", valueFormatter: (value: number | null) => significant(value) },
    xAxis: { type: "category", data: labels, name: "window start (UTC)", nameLocation: "middle", nameGap: 32 },
    yAxis: { type: "value", name: statistic },
    series,
  };
}

export interface Lift {
  label: string;
  interval: Interval;
  significant: boolean;
}

function errorBar(_params: CustomSeriesRenderItemParams, api: CustomSeriesRenderItemAPI): CustomSeriesRenderItemReturn {
  const row = api.value(0) as number;
  const low = api.coord([api.value(1), row]) as number[];
  const high = api.coord([api.value(2), row]) as number[];
  const cap = Math.max(4, Math.min(10, (api.size?.([0, 1]) as number[] | undefined)?.[1] ?? 10) * 0.25);
  const style = { stroke: PALETTE[0], lineWidth: 2 };
  const [x1 = 0, y = 0] = low;
  const [x2 = 0] = high;
  return {
    type: "group",
    children: [
      { type: "line", shape: { x1, y1: y, x2, y2: y }, style },
      { type: "line", shape: { x1, y1: y - cap, x2: x1, y2: y + cap }, style },
      { type: "line", shape: { x1: x2, y1: y - cap, x2, y2: y + cap }, style },
    ],
  };
}

/** Each comparison's lift as a point with its confidence interval as error bars. */
export function liftChart(lifts: Lift[], relative: boolean, confidence: number): ChartOption {
  const labels = lifts.map((l) => l.label);
  const show = (value: number) => (relative ? percent(value) : significant(value));
  return {
    grid: { ...grid, left: 16 },
    legend,
    tooltip: { trigger: "item" },
    yAxis: { type: "category", data: labels, inverse: true },
    xAxis: {
      type: "value",
      name: relative ? "relative lift" : "absolute lift",
      nameLocation: "middle",
      nameGap: 32,
      axisLabel: { formatter: show },
    },
    series: [
      {
        name: `${Math.round(confidence * 100)}% interval`,
        type: "custom",
        renderItem: errorBar,
        encode: { x: [1, 2], y: 0 },
        data: lifts.map((l, index) => [index, l.interval.low, l.interval.high]),
        itemStyle: { color: PALETTE[0] },
        tooltip: { formatter: (p: { dataIndex: number }) => intervalTip(lifts[p.dataIndex], show) },
        z: 1,
      },
      {
        name: "estimate (◆ significant)",
        type: "scatter",
        data: lifts.map((l, index) => ({
          value: [l.interval.estimate, index],
          symbol: l.significant ? "diamond" : "circle",
          symbolSize: l.significant ? 14 : 9,
        })),
        itemStyle: { color: PALETTE[5] },
        tooltip: { formatter: (p: { dataIndex: number }) => intervalTip(lifts[p.dataIndex], show) },
        markLine: {
          silent: true,
          symbol: "none",
          data: [{ xAxis: 0, name: "no effect" }],
          lineStyle: { color: BASELINE, type: "dotted" },
          label: { formatter: "no effect" },
        },
        z: 2,
      },
    ],
  };
}

function intervalTip(lift: Lift | undefined, show: (value: number) => string): string {
  if (!lift) return "";
  const { estimate, low, high } = lift.interval;
  return `${lift.label}: ${show(estimate)} [${show(low)}, ${show(high)}]${lift.significant ? ", significant" : ""}`;
}

export interface Exposure {
  variant: string;
  units: number;
  expected: number | null;
}

/** Units per variant beside what the declared shares expect. */
export function exposureChart(exposure: Exposure[]): ChartOption {
  return {
    grid,
    legend,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "category", data: exposure.map((e) => e.variant), name: "variant", nameLocation: "middle", nameGap: 32 },
    yAxis: { type: "value", name: "units", minInterval: 1 },
    series: [
      { name: "units exposed", type: "bar", data: exposure.map((e) => e.units) },
      {
        name: "expected from the declared shares",
        type: "scatter",
        symbol: "rect",
        symbolSize: [28, 4],
        data: exposure.map((e) => e.expected),
        itemStyle: { color: BASELINE },
      },
    ],
  };
}
