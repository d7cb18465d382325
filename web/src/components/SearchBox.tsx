// A node picker with completion by uid or name (the `search` query), as an ARIA combobox:
// type, move through the suggestions with the arrow keys, Enter picks one, Escape closes.
// Matches the signed-in role may not see are only counted: "+N hidden matches".
import { type KeyboardEvent, useId, useState } from "react";

import { useQuery } from "../api/useQuery";
import { HiddenBadges } from "./Status";

const SEARCH = `
query Search($text: String!, $kinds: [String!], $first: Int!) {
  search(text: $text, kinds: $kinds, first: $first) { hits { uid kind name version } hidden }
}`;

export interface SearchHit {
  uid: string;
  kind: string;
  name: string;
  version: string | null;
}

interface Props {
  label: string;
  value: string; // the uid chosen so far
  onPick: (uid: string) => void;
  kinds?: string[];
  placeholder?: string;
}

export function SearchBox({ label, value, onPick, kinds, placeholder }: Props) {
  const id = useId();
  const [text, setText] = useState(value);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const asked = text.trim();
  const [state] = useQuery<{ search: { hits: SearchHit[]; hidden: number } }>(
    SEARCH,
    { text: asked, kinds: kinds ?? null, first: 10 },
    !open || asked === "",
  );
  const hits = state.status === "answered" ? state.answer.data.search.hits : [];
  const hidden = state.status === "answered" ? state.answer.data.search.hidden : 0;
  const expanded = open && asked !== "" && state.status === "answered";

  const pick = (uid: string) => {
    setText(uid);
    setOpen(false);
    setActive(-1);
    onPick(uid);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      setOpen(true);
      if (hits.length > 0) {
        const step = event.key === "ArrowDown" ? 1 : -1;
        setActive((current) => (current + step + hits.length) % hits.length);
      }
    } else if (event.key === "Enter") {
      event.preventDefault();
      const chosen = hits[active] ?? hits.find((hit) => hit.uid === asked);
      if (chosen) pick(chosen.uid);
      else if (asked) pick(asked);
    } else if (event.key === "Escape") {
      setOpen(false);
      setActive(-1);
    }
  };
  const listId = `${id}-list`;
  return (
    <div className="search-box">
      <label htmlFor={`${id}-input`}>{label}</label>
      <input
        id={`${id}-input`}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? `${id}-option-${active}` : undefined}
        autoComplete="off"
        spellCheck={false}
        placeholder={placeholder}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <ul id={listId} role="listbox" aria-label={`${label}: suggestions`} className="suggestions" hidden={!expanded}>
        {hits.map((hit, index) => (
          <li
            key={hit.uid}
            id={`${id}-option-${index}`}
            role="option"
            aria-selected={index === active}
            className={index === active ? "active" : undefined}
            onMouseDown={(event) => {
              event.preventDefault(); // keep the focus in the input
              pick(hit.uid);
            }}
          >
            <code>{hit.uid}</code> <span className="muted">{hit.kind}</span>
          </li>
        ))}
        {hits.length === 0 && (
          <li role="option" aria-selected={false} aria-disabled="true" className="muted">
            No node you may see matches this.
          </li>
        )}
      </ul>
      {expanded && hidden > 0 && <HiddenBadges hidden={[{ kind: "matches", count: hidden }]} />}
    </div>
  );
}
