// The side panel of a node chosen in a graph: its properties, its versions and its
// timeline (every time it carries, and when each version began), from `node(uid)`.
import { isDenied } from "../api/client";
import { useQuery } from "../api/useQuery";
import { isIsoTime } from "./format";
import { Empty, ErrorNotice, Loading, NotVisible } from "./Status";
import { Time } from "./Time";

const NODE = `
query NodePanel($uid: ID!) {
  node(uid: $uid) { uid kind stub validFrom ingestedAt properties versions { uid validFrom } }
}`;

interface PanelNode {
  uid: string;
  kind: string;
  stub: boolean;
  validFrom: string | null;
  ingestedAt: string | null;
  properties: Record<string, unknown> | null;
  versions: { uid: string; validFrom: string | null }[] | null;
}

export interface TimelineEntry {
  at: string;
  what: string;
}

/** Every moment a node's properties name, and when each of its versions began, oldest first. */
export function timelineOf(node: Pick<PanelNode, "uid" | "properties" | "versions">): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const [key, value] of Object.entries(node.properties ?? {})) {
    if (isIsoTime(value)) entries.push({ at: value, what: key.replace(/_/g, " ") });
  }
  for (const version of node.versions ?? []) {
    if (version.validFrom && version.uid !== node.uid) entries.push({ at: version.validFrom, what: `${version.uid} began` });
  }
  return entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.what.localeCompare(b.what));
}

function shown(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

interface Props {
  uid: string;
  onClose: () => void;
  onOpen?: (uid: string) => void; // show the graph around this node
}

export function NodePanel({ uid, onClose, onOpen }: Props) {
  const [state, retry] = useQuery<{ node: PanelNode | null }>(NODE, { uid });
  return (
    <aside className="node-panel card" aria-label={`Node ${uid}`}>
      <div className="panel-head">
        <h2>
          <code>{uid}</code>
        </h2>
        <button type="button" onClick={onClose} aria-label="Close the node panel">
          Close
        </button>
      </div>
      {state.status === "loading" && <Loading what="the node" />}
      {state.status === "failed" && <ErrorNotice message={state.message} retry={retry} />}
      {state.status === "answered" && !state.answer.data.node && <Empty>No node you may see has this uid.</Empty>}
      {state.status === "answered" && state.answer.data.node && (
        <PanelBody
          node={state.answer.data.node}
          propertiesDenied={isDenied(state.answer, ["node", "properties"])}
          onOpen={onOpen}
        />
      )}
    </aside>
  );
}

function PanelBody({ node, propertiesDenied, onOpen }: { node: PanelNode; propertiesDenied: boolean; onOpen?: (uid: string) => void }) {
  const timeline = timelineOf(node);
  return (
    <>
      <p>
        {node.kind}
        {node.stub && <span className="badge">stub: its own event has not arrived</span>}
        {onOpen && (
          <button type="button" onClick={() => onOpen(node.uid)}>
            Show lineage of this node
          </button>
        )}
      </p>
      <h3>Properties</h3>
      {propertiesDenied || node.properties === null ? (
        <p>
          <NotVisible />
        </p>
      ) : (
        <dl className="properties">
          {Object.entries(node.properties)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, value]) => (
              <div key={key}>
                <dt>{key}</dt>
                <dd>{isIsoTime(value) ? <Time value={value} withSeconds /> : <code>{shown(value)}</code>}</dd>
              </div>
            ))}
        </dl>
      )}
      <h3>Versions</h3>
      {node.versions && node.versions.length > 0 ? (
        <ul>
          {node.versions.map((version) => (
            <li key={version.uid}>
              {onOpen ? (
                <button type="button" className="link" onClick={() => onOpen(version.uid)}>
                  {version.uid}
                </button>
              ) : (
                <code>{version.uid}</code>
              )}{" "}
              <span className="muted">
                from <Time value={version.validFrom} />
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <Empty>No versions.</Empty>
      )}
      <h3>Timeline</h3>
      {timeline.length > 0 ? (
        <ol className="timeline">
          {timeline.map((entry) => (
            <li key={`${entry.at}-${entry.what}`}>
              <Time value={entry.at} withSeconds /> — {entry.what}
            </li>
          ))}
        </ol>
      ) : (
        <Empty>No times recorded.</Empty>
      )}
    </>
  );
}
