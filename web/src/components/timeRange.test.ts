import { describe, expect, it } from "vitest";

import { apiBounds, dayCount, isDay, lastDays, utcDay } from "./timeRange";

describe("day ranges", () => {
  it("takes the last day as included and gives the API [from, to)", () => {
    expect(apiBounds({ from: "2026-11-04", to: "2026-12-03" })).toEqual({
      from: "2026-11-04T00:00:00Z",
      to: "2026-12-04T00:00:00Z",
    });
    expect(dayCount({ from: "2026-11-04", to: "2026-12-03" })).toBe(30);
    expect(apiBounds({ from: "2026-12-31", to: "2026-12-31" })?.to).toBe("2027-01-01T00:00:00Z");
  });

  it("refuses what is not a range of days", () => {
    expect(apiBounds({ from: "2026-12-05", to: "2026-12-04" })).toBeNull();
    expect(apiBounds({ from: "yesterday", to: "2026-12-04" })).toBeNull();
    expect(isDay("2026-02-30")).toBe(false);
    expect(isDay("2028-02-29")).toBe(true);
    expect(isDay("2026-13-01")).toBe(false);
    expect(dayCount({ from: "", to: "" })).toBe(0);
  });

  it("counts the last days in UTC, today included", () => {
    const now = new Date("2026-12-04T23:30:00-05:00"); // already 5 December in UTC
    expect(utcDay(now)).toBe("2026-12-05");
    expect(lastDays(7, now)).toEqual({ from: "2026-11-29", to: "2026-12-05" });
    expect(lastDays(30, now)).toEqual({ from: "2026-11-06", to: "2026-12-05" });
  });
});
