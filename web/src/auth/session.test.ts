import { describe, expect, it } from "vitest";

import { currentSession, signIn, tokenExpiry } from "./session";

function jwt(claims: object): string {
  const encode = (part: object) => btoa(JSON.stringify(part)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${encode({ alg: "HS256" })}.${encode(claims)}.signature`;
}

describe("tokenExpiry", () => {
  it("reads a JWT's exp in milliseconds", () => {
    expect(tokenExpiry(jwt({ sub: "a", exp: 1_900_000_000 }))).toBe(1_900_000_000_000);
  });

  it("is null for an API key or a JWT without exp", () => {
    expect(tokenExpiry("glk_abcdef")).toBeNull();
    expect(tokenExpiry(jwt({ sub: "a" }))).toBeNull();
  });
});

describe("currentSession", () => {
  it("forgets a session whose credential has expired", () => {
    signIn({ credential: "x", method: "pasted", label: "x", expiresAt: Date.now() - 1 }, sessionStorage);
    expect(currentSession(sessionStorage)).toBeNull();
    expect(sessionStorage.length).toBe(0);
  });

  it("keeps a live one", () => {
    const session = { credential: "y", method: "demo" as const, label: "demo-viewer", expiresAt: Date.now() + 60_000 };
    signIn(session, sessionStorage);
    expect(currentSession(sessionStorage)).toEqual(session);
  });
});
