import { describe, expect, it } from "vitest";

import { count, isIsoTime, percent, signed, significant, yesNo } from "./format";

describe("significant", () => {
  it("keeps three significant digits and drops trailing zeros", () => {
    expect(significant(0.0023756864532040417)).toBe("0.00238");
    expect(significant(0.1)).toBe("0.1");
    expect(significant(1)).toBe("1");
    expect(significant(3.0524488222320956e-29)).toBe("3.05e-29");
    expect(significant(-0.0385600603)).toBe("-0.0386");
  });

  it("says nothing with a dash, never a zero", () => {
    expect(significant(null)).toBe("—");
    expect(significant(undefined)).toBe("—");
    expect(count(null)).toBe("—");
    expect(percent(null)).toBe("—");
  });
});

describe("percent and signed", () => {
  it("write shares with one decimal and changes with their sign", () => {
    expect(percent(0.38461)).toBe("38.5%");
    expect(signed(0.5064935, true)).toBe("+50.6%");
    expect(signed(-0.39473, true)).toBe("-39.5%");
    expect(signed(0.14408866, false)).toBe("+0.144");
    expect(signed(0, false)).toBe("0");
  });
});

describe("yesNo", () => {
  it("says yes or no, and nothing for an unknown", () => {
    expect([yesNo(true), yesNo(false), yesNo(null)]).toEqual(["yes", "no", null]);
  });
});

describe("isIsoTime", () => {
  it("tells the API's moments from other text", () => {
    expect(isIsoTime("2026-12-04T20:25:41.539846+00:00")).toBe(true);
    expect(isIsoTime("2026-10-04T00:00Z")).toBe(true);
    expect(isIsoTime("2026-10-04")).toBe(false);
    expect(isIsoTime("kafka://events/clicks")).toBe(false);
    expect(isIsoTime(42)).toBe(false);
  });
});
