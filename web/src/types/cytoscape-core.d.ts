// What cytoscape-svg adds to every graph: its drawing as SVG text.
import "cytoscape";

declare module "cytoscape" {
  interface Core {
    svg(options?: { full?: boolean; scale?: number; bg?: string }): string;
  }
}
