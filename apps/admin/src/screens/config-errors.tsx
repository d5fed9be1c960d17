import { describeError, LawfulError } from '../api.ts';

export type ShownError = { text: string; field?: string; issues: { field: string; message: string }[] };

/** The server's answer, kept whole: its message, the field at fault and every other problem it found at once. */
export const errorOf = (x: unknown): ShownError => ({
  text: describeError(x),
  ...(x instanceof LawfulError && x.field ? { field: x.field } : {}),
  issues: x instanceof LawfulError ? (x.issues ?? []) : [],
});

export const ErrorList = ({ error }: { error: ShownError }) => (
  <div className="alert" role="alert">
    <p className="tight">{error.text}</p>
    {error.issues.length > 1 && (
      <ul>
        {error.issues.map((i) => (
          <li key={`${i.field}:${i.message}`}>
            <code>{i.field}</code>: {i.message}
          </li>
        ))}
      </ul>
    )}
  </div>
);
