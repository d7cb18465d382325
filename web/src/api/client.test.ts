import { describe, expect, it } from "vitest";

import { type Answer, failures, FORBIDDEN_FIELD, isDenied } from "./client";

const answer: Answer<unknown> = {
  data: { trace: { recommendation: { userPseudonym: null } } },
  errors: [
    { message: "not allowed to read Recommendation.userPseudonym", path: ["trace", "recommendation", "userPseudonym"], extensions: { code: FORBIDDEN_FIELD } },
    { message: "the store is slow", path: ["trace"], extensions: { code: "STORE_UNAVAILABLE" } },
  ],
};

describe("field denials", () => {
  it("are told apart from failures", () => {
    expect(failures(answer).map((e) => e.message)).toEqual(["the store is slow"]);
  });

  it("are found by the path of the field or of what it sits in", () => {
    expect(isDenied(answer, ["trace", "recommendation", "userPseudonym"])).toBe(true);
    expect(isDenied(answer, ["trace", "recommendation"])).toBe(true);
    expect(isDenied(answer, ["trace", "modelVersion"])).toBe(false);
  });
});
