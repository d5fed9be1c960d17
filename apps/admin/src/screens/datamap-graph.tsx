import type { lawful } from '../api.ts';

type Map = NonNullable<Awaited<ReturnType<typeof lawful.datamap.current>>>['map'];
type System = Map['systems'][number];

const W = 236;
const H = 58;
const GAP_X = 90;
const GAP_Y = 22;
const PAD = 16;

/**
 * Columns by distance from the person: collections that identify someone first, then those that point at them, and
 * so on along the references. Simple enough to need no layout library; a table beside it says the same in words.
 */
export const layout = (s: System) => {
  const depth = new globalThis.Map<string, number>();
  for (const c of s.collections) if (c.fields.some((f) => f.identity)) depth.set(c.name, 0);
  if (depth.size === 0 && s.collections[0]) depth.set(s.collections[0].name, 0);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of s.references) {
      const to = depth.get(r.to.collection);
      const from = depth.get(r.from.collection);
      if (to !== undefined && (from === undefined || from > to + 1)) {
        depth.set(r.from.collection, to + 1);
        grew = true;
      }
    }
  }
  const maxDepth = Math.max(0, ...depth.values());
  // Collections reached by no reference go in a column of their own at the end.
  for (const c of s.collections) if (!depth.has(c.name)) depth.set(c.name, maxDepth + 1);
  const columns: string[][] = [];
  for (const c of s.collections) {
    const d = depth.get(c.name) ?? 0;
    columns[d] = [...(columns[d] ?? []), c.name];
  }
  const pos = new globalThis.Map<string, { x: number; y: number }>();
  for (const [i, col] of columns.entries()) {
    for (const [j, name] of (col ?? []).entries())
      pos.set(name, { x: PAD + i * (W + GAP_X), y: PAD + j * (H + GAP_Y) });
  }
  const width = PAD * 2 + columns.length * W + (columns.length - 1) * GAP_X;
  const height = PAD * 2 + Math.max(...columns.map((c) => c?.length ?? 0)) * (H + GAP_Y) - GAP_Y;
  return { pos, width, height };
};

export const DataMapGraph = ({ system }: { system: System }) => {
  const { pos, width, height } = layout(system);
  const marker = `arrow-${system.id}`;
  return (
    <figure className="graph">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        role="img"
        aria-labelledby={`${marker}-title`}
        data-testid={`graph-${system.id}`}
      >
        <title id={`${marker}-title`}>
          {`System ${system.id}: ${system.collections.length} collections, ${system.references.length} references`}
        </title>
        <defs>
          <marker id={marker} viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" fill="#57606a" />
          </marker>
        </defs>
        {system.references.map((r) => {
          const a = pos.get(r.from.collection);
          const b = pos.get(r.to.collection);
          if (!a || !b) return null;
          const x1 = a.x + (a.x > b.x ? 0 : W);
          const x2 = b.x + (a.x > b.x ? W : 0);
          const y1 = a.y + H / 2;
          const y2 = b.y + H / 2;
          const mid = (x1 + x2) / 2;
          return (
            <path
              key={`${r.from.collection}.${r.from.column}`}
              d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`}
              fill="none"
              stroke="#57606a"
              strokeWidth="1.5"
              strokeDasharray={r.declared === false ? '5 4' : undefined}
              markerEnd={`url(#${marker})`}
            />
          );
        })}
        {system.collections.map((c) => {
          const p = pos.get(c.name)!;
          const identity = c.fields.find((f) => f.identity)?.identity?.kind;
          return (
            <g key={c.name} transform={`translate(${p.x},${p.y})`}>
              <rect
                width={W}
                height={H}
                rx="8"
                fill={identity ? '#eef6ff' : '#f6f8fa'}
                stroke={identity ? '#0b5cad' : '#8c959f'}
                strokeWidth={identity ? 2 : 1}
              />
              <text x="12" y="24" fontSize="15" fontWeight="600" fill="#1f2328">
                {c.name.length > 22 ? `${c.name.slice(0, 21)}…` : c.name}
              </text>
              <text x="12" y="44" fontSize="12.5" fill="#3d4451">
                {c.fields.length} field{c.fields.length === 1 ? '' : 's'}
                {identity ? ` · by ${identity}` : ''}
                {c.erasure ? ` · ${c.erasure.kind.replace('_', ' ')}` : ''}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="muted small">
        Arrows point from a table to the table it references (toward the person). Blue: collections that identify a
        person. Dashed: references without a foreign key.
      </figcaption>
    </figure>
  );
};
