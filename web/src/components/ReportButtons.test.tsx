import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { signIn, signOut } from "../auth/session";
import { ExportScopeContext, type ExportStamp } from "./exports";
import { ReportButtons } from "./ReportButtons";

const stamp: ExportStamp = {
  exportedBy: "demo-engineer",
  roles: ["engineer"],
  at: "2026-12-04T10:00:00+00:00",
  format: "HTML",
  view: "recommendation",
  filters: { id: "rec:r-1" },
  asOf: null,
  rows: null,
  bytes: null,
  accessLogSeq: 21,
  text: [
    "graph-lineage recommendation export (HTML)",
    "Exported by demo-engineer (engineer) at 2026-12-04T10:00:00Z",
    "Filters: id=rec:r-1",
    "Data as of: 2026-12-04T10:00:00Z (the export)",
    "Access log record: 21",
  ],
};

function shown() {
  return render(
    <ExportScopeContext.Provider value={{ view: "recommendation", filters: { id: "rec:r-1" }, asOf: null }}>
      <ReportButtons report="trace" arguments={{ recommendationId: "rec:r-1" }} label="the trace" />
    </ExportScopeContext.Provider>,
  );
}

describe("ReportButtons", () => {
  const bodies: unknown[] = [];
  beforeEach(() => {
    signIn({ credential: "token-3", method: "pasted", label: "demo-engineer", expiresAt: null });
    bodies.length = 0;
  });
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    signOut();
  });

  function answering(reply: () => Response) {
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: RequestInit) => {
        bodies.push({ url, body: JSON.parse(String(init.body)) as unknown });
        return reply();
      }),
    );
  }

  it("records the print as an HTML export, puts the stamp on the page, then prints", async () => {
    answering(() => new Response(JSON.stringify({ data: { recordExport: stamp } })));
    const onPaper: (string | null)[] = []; // what the printer gets: the stamp is on the page by then
    const printed = vi.fn(() => onPaper.push(screen.queryByTestId("print-stamp")?.textContent ?? null));
    vi.stubGlobal("print", printed);
    shown();

    fireEvent.click(screen.getByRole("button", { name: "Print the trace" }));

    await waitFor(() => expect(printed).toHaveBeenCalledOnce());
    expect(onPaper).toEqual([stamp.text.join("")]);
    const lines = [...screen.getByTestId("print-stamp").children].map((line) => line.textContent);
    expect(lines).toEqual(stamp.text);
    expect(bodies).toMatchObject([{ url: "/graphql", body: { variables: { export: { format: "HTML", view: "recommendation" } } } }]);
  });

  it("offers Print alone for a report the server does not make", () => {
    render(<ReportButtons label="the drift alert" />);
    expect(screen.getByRole("button", { name: "Print the drift alert" })).toBeDefined();
    expect(screen.queryByRole("button", { name: "Download the drift alert as PDF" })).toBeNull();
  });

  it("downloads the server's PDF, and says why when there is none", async () => {
    let status = 200;
    answering(() =>
      status === 200
        ? new Response(new Blob(["%PDF"]), { headers: { "content-disposition": 'attachment; filename="trace-report-4.pdf"' } })
        : new Response(JSON.stringify({ error: "forbidden", detail: "your roles (viewer) may not read trace" }), { status }),
    );
    const names: string[] = [];
    vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:pdf");
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    shown();
    const button = screen.getByRole("button", { name: "Download the trace as PDF" });

    fireEvent.click(button);
    await waitFor(() => expect(names).toEqual(["trace-report-4.pdf"]));
    status = 403;
    fireEvent.click(button);

    expect(await screen.findByRole("alert")).toHaveProperty(
      "textContent",
      "The PDF was not made: your roles (viewer) may not read trace.",
    );
    expect(bodies[0]).toEqual({
      url: "/exports/report.pdf",
      body: { report: "trace", arguments: { recommendationId: "rec:r-1" }, filters: { id: "rec:r-1" }, asOf: null },
    });
  });
});
