import { describe, expect, it } from "vitest";

import { type Column, type ExportStamp, fileName, stampedSvg, stampLines, toCsv, toJson } from "./exports";

const stamp: ExportStamp = {
  exportedBy: "demo-viewer",
  roles: ["viewer"],
  exportedAt: "2026-12-04T10:00:00Z",
  view: "impact",
  filters: { uid: "feature:ctr@v2", segment: "", since: null },
  asOf: "2026-12-01T00:00:00Z",
  format: "csv",
  accessLogSeq: 7,
};

type Row = { name: string; count: number | null };
const columns: Column<Row>[] = [
  { key: "name", header: "Name", value: (row) => row.name },
  { key: "count", header: "Count", value: (row) => row.count },
];

describe("toCsv", () => {
  it("quotes what RFC 4180 needs quoted and leaves nulls empty", () => {
    const rows = [
      { name: 'say "hi", then', count: 3 },
      { name: "two\nlines", count: null },
      { name: "#not a comment", count: 0 },
    ];
    const lines = toCsv(columns, rows, null).split("\r\n");
    expect(lines).toEqual(["Name,Count", '"say ""hi"", then",3', '"two\nlines",', '"#not a comment",0', ""]);
  });

  it("puts the stamp first, as comment lines, with only the filters that are set", () => {
    const lines = toCsv(columns, [], stamp).split("\r\n");
    expect(lines[0]).toBe("# graph-lineage impact export");
    expect(lines[1]).toBe("# Exported by demo-viewer (viewer) at 2026-12-04T10:00:00Z");
    expect(lines[2]).toBe("# Filters: uid=feature:ctr@v2");
    expect(lines[3]).toBe("# Data as of: 2026-12-01T00:00:00Z");
    expect(lines[4]).toBe("Name,Count");
  });
});

describe("toJson", () => {
  it("keeps the stamp and one object per row", () => {
    const parsed = JSON.parse(toJson(columns, [{ name: "a", count: 1 }], stamp)) as {
      stamp: ExportStamp;
      rows: Row[];
    };
    expect(parsed.stamp.accessLogSeq).toBe(7);
    expect(parsed.rows).toEqual([{ name: "a", count: 1 }]);
  });
});

describe("stampedSvg", () => {
  it("grows the drawing by the stamp's lines and keeps the stamp as metadata", () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100"><rect width="10" height="10"/></svg>';
    const out = new DOMParser().parseFromString(stampedSvg(svg, stamp), "image/svg+xml").documentElement;
    const lines = stampLines(stamp);
    expect(Number(out.getAttribute("height"))).toBe(100 + 16 * lines.length + 8);
    expect(out.getAttribute("viewBox")).toBe(`0 0 200 ${100 + 16 * lines.length + 8}`);
    expect([...out.querySelectorAll("text")].map((t) => t.textContent)).toEqual(lines);
    expect(JSON.parse(out.querySelector("metadata")?.textContent ?? "{}")).toEqual(stamp);
  });
});

describe("fileName", () => {
  it("keeps names safe for every file system", () => {
    expect(fileName({ view: "lineage", filters: {}, asOf: null }, "model:ranker@v3/up", "png")).toBe(
      "lineage-model_ranker_v3_up.png",
    );
  });
});
