import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { reportPdf } from "../api/client";
import { signIn, signOut } from "../auth/session";
import {
  byteLength,
  type Column,
  exportTable,
  type ExportScope,
  type ExportStamp,
  fileName,
  stampedSvg,
  stampExport,
  toCsv,
  toJson,
} from "./exports";

// As the recordExport mutation answers (api/graphql/exports.py words the text).
const stamp: ExportStamp = {
  exportedBy: "demo-viewer",
  roles: ["viewer"],
  at: "2026-12-04T10:00:00.123456+00:00",
  format: "CSV",
  view: "impact",
  filters: { uid: "feature:ctr@v2", segment: "", since: null },
  asOf: "2026-12-01T00:00:00+00:00",
  rows: 3,
  bytes: 52,
  accessLogSeq: 7,
  text: [
    "graph-lineage impact export (CSV)",
    "Exported by demo-viewer (viewer) at 2026-12-04T10:00:00Z",
    "Filters: uid=feature:ctr@v2",
    "Data as of: 2026-12-01T00:00:00Z",
    "Rows: 3",
    "Access log record: 7",
  ],
};
const scope: ExportScope = { view: "impact", filters: { uid: "feature:ctr@v2", segment: "" }, asOf: "2026-12-01T00:00:00Z" };

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

  it("puts the server's stamp first, as comment lines, then the header row", () => {
    const lines = toCsv(columns, [{ name: "a", count: 1 }], stamp).split("\r\n");
    expect(lines.slice(0, 6)).toEqual(stamp.text.map((line) => `# ${line}`));
    expect(lines.slice(6)).toEqual(["Name,Count", "a,1", ""]);
  });
});

describe("toJson", () => {
  it("keeps the stamp and one object per row", () => {
    const parsed = JSON.parse(toJson(columns, [{ name: "a", count: 1 }], stamp)) as {
      stamp: ExportStamp;
      columns: string[];
      rows: Row[];
    };
    expect(parsed.stamp).toEqual(stamp);
    expect(parsed.columns).toEqual(["name", "count"]);
    expect(parsed.rows).toEqual([{ name: "a", count: 1 }]);
  });
});

describe("stampedSvg", () => {
  it("grows the drawing by the stamp's lines and keeps the stamp as metadata", () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100"><rect width="10" height="10"/></svg>';
    const out = new DOMParser().parseFromString(stampedSvg(svg, stamp), "image/svg+xml").documentElement;
    const grown = 100 + 16 * stamp.text.length + 8;
    expect(Number(out.getAttribute("height"))).toBe(grown);
    expect(out.getAttribute("viewBox")).toBe(`0 0 200 ${grown}`);
    expect([...out.querySelectorAll("text")].map((t) => t.textContent)).toEqual(stamp.text);
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

describe("byteLength", () => {
  it("counts UTF-8 bytes, not characters", () => {
    expect(byteLength("a→b")).toBe(5);
  });
});

// The network, as the API answers: each call is kept so a test can read what was sent.
type Sent = { url: string; init: RequestInit };
function answering(...replies: Response[]): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      sent.push({ url, init });
      const reply = replies.shift();
      if (!reply) throw new Error("no more answers");
      return reply;
    }),
  );
  return sent;
}

function first<T>(items: T[]): T {
  const [item] = items;
  if (item === undefined) throw new Error("nothing there");
  return item;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("recording exports", () => {
  beforeEach(() => signIn({ credential: "token-1", method: "pasted", label: "demo-viewer", expiresAt: null }));
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    signOut();
  });

  it("sends the view, its filters, the as-of time and the size, as the signed-in principal", async () => {
    const sent = answering(json({ data: { recordExport: stamp } }));

    const recorded = await stampExport(scope, "csv", { rows: 3, bytes: 52 });

    expect(recorded).toEqual(stamp);
    const { url, init } = first(sent);
    expect(url).toBe("/graphql");
    expect((init.headers as Record<string, string>).authorization).toBe("Bearer token-1");
    const body = JSON.parse(String(init.body)) as { query: string; variables: { export: unknown } };
    expect(body.query).toContain("recordExport(export: $export)");
    expect(body.variables.export).toEqual({
      format: "CSV",
      view: "impact",
      filters: { uid: "feature:ctr@v2", segment: "" },
      asOf: "2026-12-01T00:00:00Z",
      rows: 3,
      bytes: 52,
    });
  });

  it("makes no file when the export was not recorded", async () => {
    answering(json({ data: null, errors: [{ message: "view must name the view exported from", path: ["recordExport"] }] }));

    await expect(stampExport(scope, "png")).rejects.toThrow(
      "The export was not recorded, so it was not made: view must name the view exported from",
    );
  });

  it("downloads a table as the stamp's lines then the CSV, after recording its rows and bytes", async () => {
    const sent = answering(json({ data: { recordExport: stamp } }));
    const files: Blob[] = [];
    vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => {
      files.push(blob as Blob);
      return "blob:export";
    });
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    const rows = [{ name: "é", count: 2 }];

    await exportTable(scope, "by-segment", columns, rows, "csv");

    const { variables } = JSON.parse(String(first(sent).init.body)) as { variables: { export: { rows: number; bytes: number } } };
    expect(variables.export.rows).toBe(1);
    expect(variables.export.bytes).toBe(byteLength(toCsv(columns, rows, null)));
    const text = await first(files).text();
    expect(text.split("\r\n").slice(0, 8)).toEqual([...stamp.text.map((line) => `# ${line}`), "Name,Count", "é,2"]);
  });
});

describe("reportPdf", () => {
  beforeEach(() => signIn({ credential: "token-2", method: "pasted", label: "demo-engineer", expiresAt: null }));
  afterEach(() => {
    vi.unstubAllGlobals();
    signOut();
  });

  const request = { report: "trace" as const, arguments: { recommendationId: "rec:r-1" }, filters: { tab: "timeline" }, asOf: null };

  it("asks the server for the PDF as the signed-in principal and names the file as it says", async () => {
    const pdf = new Response(new Blob(["%PDF-1.3"]), {
      headers: { "content-type": "application/pdf", "content-disposition": 'attachment; filename="trace-report-12.pdf"' },
    });
    const sent = answering(pdf);

    const { pdf: file, name } = await reportPdf(request);

    expect(name).toBe("trace-report-12.pdf");
    expect(await file.text()).toBe("%PDF-1.3");
    expect(first(sent).url).toBe("/exports/report.pdf");
    expect((first(sent).init.headers as Record<string, string>).authorization).toBe("Bearer token-2");
    expect(JSON.parse(String(first(sent).init.body))).toEqual(request);
  });

  it("says why when the server refuses", async () => {
    answering(json({ error: "forbidden", detail: "your roles (viewer) may not read trace" }, 403));

    await expect(reportPdf(request)).rejects.toThrow("The PDF was not made: your roles (viewer) may not read trace.");
  });
});
