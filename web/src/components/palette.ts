// Okabe–Ito: eight colours told apart with every common colour blindness. Kinds and
// series also differ by shape or label, never by colour alone.
export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

export const KIND_COLOURS: Record<string, string> = {
  DataSource: "#E69F00",
  Dataset: "#E69F00",
  Feature: "#56B4E9",
  FeatureVersion: "#0072B2",
  Model: "#CC79A7",
  ModelVersion: "#CC79A7",
  Deployment: "#D55E00",
  Experiment: "#009E73",
  Variant: "#009E73",
  LineageContext: "#999999",
  Recommendation: "#000000",
  Outcome: "#F0E442",
};

export function colourOf(kind: string): string {
  return KIND_COLOURS[kind] ?? "#777777";
}
