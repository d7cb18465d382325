// The lineage diff between an experiment's arms: what each arm served (model versions,
// feature versions, what they were trained on, sources, flags) with its share of the arm's
// requests, and, for roles that may read requests, one request of each arm diffed.
import { useQuery } from "../api/useQuery";
import { DataTable, type TableColumn } from "../components/DataTable";
import { percent } from "../components/format";
import { Empty, ErrorNotice, HiddenBadges, Loading, NotVisible } from "../components/Status";

interface Share {
  uid: string;
  share: number;
}

interface Arm {
  variant: string;
  requests: number;
  modelVersions: Share[];
  featureVersions: Share[];
  trainedOn: Share[];
  sources: Share[];
  flags: { flags: string; share: number }[];
}

export interface Arms {
  lineage: Arm[];
  differences: string[];
  statement: string;
}

interface Row {
  what: string;
  uid: string;
  shares: Record<string, number>;
  difference: number;
}

const KINDS: [string, (arm: Arm) => Share[]][] = [
  ["model version", (arm) => arm.modelVersions],
  ["feature version served", (arm) => arm.featureVersions],
  ["trained on", (arm) => arm.trainedOn],
  ["data source", (arm) => arm.sources],
  ["flags", (arm) => arm.flags.map((f) => ({ uid: f.flags, share: f.share }))],
];

/** One row per node any arm served, with each arm's share and the largest gap between arms. */
export function armRows(arms: Arm[]): Row[] {
  return KINDS.flatMap(([what, of]) => {
    const uids = [...new Set(arms.flatMap((arm) => of(arm).map((s) => s.uid)))].sort();
    return uids.map((uid) => {
      const shares = Object.fromEntries(arms.map((arm) => [arm.variant, of(arm).find((s) => s.uid === uid)?.share ?? 0]));
      const all = Object.values(shares);
      return { what, uid, shares, difference: Math.max(...all) - Math.min(...all) };
    });
  });
}

type Named = { name: string; uid: string };

/** The control (the arms' lineage lists it first) and the first treatment. */
function controlAndTreatment(arms: Arms | null, variants: Named[]): [Named, Named] | null {
  const control = variants.find((v) => v.name === arms?.lineage[0]?.variant) ?? variants[0];
  const treatment = variants.find((v) => v !== control);
  return control && treatment ? [control, treatment] : null;
}

export function ArmsLineage({ arms, variants }: { arms: Arms | null; variants: Named[] }) {
  const pair = controlAndTreatment(arms, variants);
  return (
    <section aria-labelledby="arms-title">
      <h3 id="arms-title">Lineage diff between the arms</h3>
      {arms === null ? <Empty>No exposure: the arms served nothing yet.</Empty> : <ArmsTable arms={arms} />}
      {pair && <RequestDiff control={pair[0]} treatment={pair[1]} />}
    </section>
  );
}

function ArmsTable({ arms }: { arms: Arms }) {
  const columns: TableColumn<Row>[] = [
    { key: "what", header: "What", value: (r) => r.what },
    { key: "uid", header: "Node", value: (r) => r.uid, render: (r) => <code>{r.uid}</code> },
    ...arms.lineage.map((arm) => ({
      key: `share-${arm.variant}`,
      header: `${arm.variant} (${arm.requests.toLocaleString()} requests)`,
      value: (r: Row) => r.shares[arm.variant] ?? 0,
      render: (r: Row) => percent(r.shares[arm.variant] ?? 0),
      numeric: true,
    })),
    { key: "difference", header: "Gap", value: (r) => r.difference, render: (r) => (r.difference > 0.05 ? <strong>{percent(r.difference)}</strong> : percent(r.difference)), numeric: true },
  ];
  return (
    <>
      <p>{arms.statement}</p>
      {arms.differences.length > 0 && (
        <ul aria-label="Differences between the arms">
          {arms.differences.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
      <DataTable name="arms-lineage" caption="Share of each arm's requests served through each node" columns={columns} rows={armRows(arms.lineage)} rowKey={(r) => `${r.what}|${r.uid}`} />
    </>
  );
}

const SAMPLES = `
query ArmRequests($control: String!, $treatment: String!) {
  control: recommendations(filter: {variant: $control}, first: 1) { edges { node { uid } } }
  treatment: recommendations(filter: {variant: $treatment}, first: 1) { edges { node { uid } } }
}`;

const DIFF = `
query ArmDiff($a: ID!, $b: ID!) {
  lineageDiff(a: $a, b: $b) {
    a b identical
    modelVersion { a b } variant { a b }
    featureChanges { feature a b }
    ancestryOnlyInA ancestryOnlyInB hiddenDifferences
  }
}`;

type Samples = Record<"control" | "treatment", { edges: { node: { uid: string } }[] }>;

interface Diff {
  a: string;
  b: string;
  identical: boolean;
  modelVersion: { a: string | null; b: string | null } | null;
  variant: { a: string | null; b: string | null } | null;
  featureChanges: { feature: string; a: string | null; b: string | null }[];
  ancestryOnlyInA: string[];
  ancestryOnlyInB: string[];
  hiddenDifferences: number;
}

function RequestDiff({ control, treatment }: { control: Named; treatment: Named }) {
  const [samples, retry] = useQuery<Samples>(SAMPLES, { control: control.uid, treatment: treatment.uid });
  const a = samples.status === "answered" ? samples.answer.data.control.edges[0]?.node.uid : undefined;
  const b = samples.status === "answered" ? samples.answer.data.treatment.edges[0]?.node.uid : undefined;
  const [diff, retryDiff] = useQuery<{ lineageDiff: Diff }>(DIFF, { a, b }, !a || !b);
  const title = <h4>The newest request of {control.name} against the newest of {treatment.name}</h4>;
  if (samples.status === "failed" && samples.denied) {
    return (
      <div>
        {title}
        <p>
          Requests of each arm: <NotVisible />
        </p>
      </div>
    );
  }
  if (samples.status === "failed") return <ErrorNotice message={samples.message} retry={retry} />;
  if (samples.status !== "answered") return <Loading what="a request of each arm" />;
  if (!a || !b) return <Empty>An arm has no request to compare.</Empty>;
  if (diff.status === "failed") return diff.denied ? <p>Lineage diff: <NotVisible /></p> : <ErrorNotice message={diff.message} retry={retryDiff} />;
  if (diff.status !== "answered") return <Loading what="the lineage diff of the two requests" />;
  return (
    <div>
      {title}
      <DiffDetails diff={diff.answer.data.lineageDiff} />
    </div>
  );
}

const FEATURES: TableColumn<Diff["featureChanges"][number]>[] = [
  { key: "feature", header: "Feature", value: (f) => f.feature },
  { key: "a", header: "In the first", value: (f) => f.a },
  { key: "b", header: "In the second", value: (f) => f.b },
];

function DiffDetails({ diff }: { diff: Diff }) {
  const hidden = diff.hiddenDifferences > 0 ? [{ kind: "ancestry differences", count: diff.hiddenDifferences }] : [];
  return (
    <>
      <p>
        <code>{diff.a}</code> against <code>{diff.b}</code>: {diff.identical ? "the same lineage." : "their lineage differs."}
      </p>
      <ul>
        {diff.modelVersion && (
          <li>
            model version: <code>{diff.modelVersion.a ?? "none"}</code> → <code>{diff.modelVersion.b ?? "none"}</code>
          </li>
        )}
        {diff.variant && (
          <li>
            variant: <code>{diff.variant.a ?? "none"}</code> → <code>{diff.variant.b ?? "none"}</code>
          </li>
        )}
        <li>ancestry only in the first: {diff.ancestryOnlyInA.join(", ") || "none"}</li>
        <li>ancestry only in the second: {diff.ancestryOnlyInB.join(", ") || "none"}</li>
      </ul>
      <HiddenBadges hidden={hidden} />
      <DataTable name="request-diff" caption="Feature versions that differ" columns={FEATURES} rows={diff.featureChanges} rowKey={(f) => f.feature} empty="Both read the same feature versions." />
    </>
  );
}
