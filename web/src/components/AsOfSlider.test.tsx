import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { AsOfSlider } from "./AsOfSlider";

afterEach(cleanup);

describe("AsOfSlider", () => {
  it("rests at now, the right end, while there is nothing to replay", () => {
    render(<AsOfSlider moments={[]} asOf={null} onChange={() => {}} />);
    const slider = screen.getByLabelText("As of") as HTMLInputElement;
    expect(slider.disabled).toBe(true);
    expect(slider.value).toBe(slider.max);
    expect(screen.getByText("nothing to replay yet")).toBeTruthy();
  });

  it("puts now after the last moment once there are moments", () => {
    const moments = ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"];
    render(<AsOfSlider moments={moments} asOf={null} onChange={() => {}} />);
    const slider = screen.getByLabelText("As of") as HTMLInputElement;
    expect(slider.disabled).toBe(false);
    expect([slider.value, slider.max]).toEqual(["2", "2"]);
    expect(screen.queryByText("nothing to replay yet")).toBeNull();
  });
});
