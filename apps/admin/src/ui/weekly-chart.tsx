import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * One line. `dash` tells series apart without colour (WCAG 1.4.1); `null` is a week with nothing to measure (a rate
 * of no decisions), drawn as a gap rather than a misleading zero.
 */
export type Series = { label: string; color: string; values: (number | null)[]; dash?: number[] };

/** Line patterns, so series stay distinguishable for people who do not see the colours apart. */
export const DASH = { solid: undefined, dashed: [8, 5], dotted: [2, 4], dashDot: [10, 4, 2, 4] } as const;

/**
 * Weekly counts (or shares, with `percent`) as lines (uPlot: ~50 KB, canvas, no dependencies). The canvas is a
 * picture for sighted readers; the same numbers are in a table beside it for everyone else.
 */
export const WeeklyChart = ({
  weeks,
  series,
  label,
  percent = false,
}: {
  weeks: string[];
  series: Series[];
  label: string;
  percent?: boolean;
}) => {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = weeks.map((w) => Date.parse(`${w}T00:00:00Z`) / 1000);
    const width = () => Math.max(280, el.clientWidth);
    const fmt = (v: number | null) => (v == null ? '–' : percent ? `${v}%` : String(v));
    const plot = new uPlot(
      {
        width: width(),
        height: 240,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: {
          y: { range: (_u, _min, max) => (percent ? [0, 100] : [0, Math.max(4, Math.ceil(max * 1.1))]) },
        },
        axes: [
          { stroke: '#3d4451', space: 70 },
          {
            stroke: '#3d4451',
            grid: { stroke: '#e3e6ea' },
            ...(percent ? { values: (_u: uPlot, vs: number[]) => vs.map((v) => `${v}%`) } : {}),
          },
        ],
        series: [
          { label: 'Week of' },
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            points: { size: 6 },
            value: (_u: uPlot, v: number | null) => fmt(v),
            ...(s.dash ? { dash: [...s.dash] } : {}),
          })),
        ],
      },
      [xs, ...series.map((s) => s.values)],
      el,
    );
    plot.root.querySelector('canvas')?.setAttribute('aria-hidden', 'true');
    const ro = new ResizeObserver(() => plot.setSize({ width: width(), height: 240 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [weeks, series, percent]);
  return (
    <figure className="chart">
      <div ref={box} role="img" aria-label={label} />
      <figcaption className="muted">{label}. The numbers are in the table below.</figcaption>
    </figure>
  );
};
