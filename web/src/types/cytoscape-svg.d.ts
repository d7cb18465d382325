// cytoscape-svg ships no types: it is a Cytoscape extension adding `cy.svg(options)`
// (declared in cytoscape-core.d.ts).
declare module "cytoscape-svg" {
  const extension: import("cytoscape").Ext;
  export default extension;
}
