// A labelled choice among a few values, "any" first: one filter of a view, kept in its URL.

interface Props {
  id: string;
  label: string;
  value: string;
  options: (string | [string, string])[]; // a value, or [value, what it says]
  onChange: (value: string) => void;
  any?: string; // what the empty choice says
}

export function FilterSelect({ id, label, value, options, onChange, any = "any" }: Props) {
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{any}</option>
        {options.map((option) => {
          const [key, text] = typeof option === "string" ? [option, option] : option;
          return (
            <option key={key} value={key}>
              {text}
            </option>
          );
        })}
      </select>
    </div>
  );
}
