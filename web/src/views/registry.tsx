// The explorer's views: one entry each, in the order of the navigation. A view keeps its
// whole state in its URL (path and query), so a copied address restores it exactly.
import type { ReactNode } from "react";

import { Audit } from "./Audit";
import { DashboardView } from "./Dashboard";
import { Drift } from "./Drift";
import { Experiments } from "./Experiments";
import { Impact } from "./Impact";
import { Lineage } from "./Lineage";
import { Recommendation } from "./Recommendation";

export interface View {
  path: string; // under /ui/
  title: string;
  element: ReactNode;
  roles?: string[]; // shown in the navigation only to these roles; the API decides anyway
}

export const VIEWS: View[] = [
  { path: "lineage", title: "Lineage", element: <Lineage /> },
  { path: "recommendation", title: "Recommendation", element: <Recommendation /> },
  { path: "dashboard", title: "Dashboard", element: <DashboardView /> },
  { path: "impact", title: "Impact", element: <Impact /> },
  { path: "drift", title: "Drift", element: <Drift /> },
  { path: "experiments", title: "Experiments", element: <Experiments /> },
  { path: "audit", title: "Audit", element: <Audit />, roles: ["auditor", "compliance", "admin"] },
];
