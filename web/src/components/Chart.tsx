// Charts: Apache ECharts drawn as SVG, exportable as PNG and SVG with the stamp. Every
// chart has a text alternative (its caption and a summary), and its data is in a table
// near it, so nothing is told by colour alone.
import { BarChart, CustomChart, LineChart, ScatterChart } from "echarts/charts";
import {
  AriaComponent,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

import { type Drawing, exportDrawing, useExportScope } from "./exports";
import { ExportButtons } from "./ExportButtons";
import { PALETTE } from "./palette";

echarts.use([
  BarChart,
  LineChart,
  ScatterChart,
  CustomChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  MarkLineComponent,
  MarkAreaComponent,
  DataZoomComponent,
  AriaComponent, // decal patterns, for series that share a colour
  SVGRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;

interface Props {
  name: string; // names the exported file
  caption: string; // the chart's title and accessible name
  summary: string; // what the chart shows, in words, for screen readers
  option: ChartOption;
  height?: number;
}

/** The chart's drawing as SVG text, and as an SVG data URL a PNG can be drawn from. */
export function drawingOf(chart: echarts.ECharts): Drawing {
  const svg = async () => chart.renderToSVGString();
  return {
    svg,
    png: async () => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(await svg())}`,
  };
}

export function Chart({ name, caption, summary, option, height = 280 }: Props) {
  const scope = useExportScope();
  const holder = useRef<HTMLDivElement | null>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!holder.current) return;
    const instance = echarts.init(holder.current, null, { renderer: "svg" });
    chart.current = instance;
    const resize = () => instance.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption({ color: PALETTE, animation: false, ...option }, { notMerge: true });
  }, [option]);
  const exportAs = async (format: string) => {
    if (!chart.current) throw new Error("the chart is not drawn yet");
    await exportDrawing(scope, name, drawingOf(chart.current), format as "png" | "svg");
  };
  return (
    <figure className="chart" data-chart={name}>
      <figcaption>
        <span>{caption}</span>
        <ExportButtons label={caption} formats={["png", "svg"]} onExport={exportAs} />
      </figcaption>
      <div ref={holder} role="img" aria-label={`${caption}. ${summary}`} style={{ width: "100%", height }} />
    </figure>
  );
}
