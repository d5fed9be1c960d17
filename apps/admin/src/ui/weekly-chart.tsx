import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export type Series = { label: string; color: string; values: number[] };

/**
 * Weekly counts as lines (uPlot: ~50 KB, canvas, no dependencies). The canvas is a picture for sighted readers;
 * the same numbers are in a table beside it for everyone else.
 */
export const WeeklyChart = ({ weeks, series, label }: { weeks: string[]; series: Series[]; label: string }) => {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = weeks.map((w) => Date.parse(`${w}T00:00:00Z`) / 1000);
    const width = () => Math.max(280, el.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 240,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: { y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
        axes: [
          { stroke: '#3d4451', space: 70 },
          { stroke: '#3d4451', grid: { stroke: '#e3e6ea' } },
        ],
        series: [
          { label: 'Week of' },
          ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { size: 6 } })),
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
  }, [weeks, series]);
  return (
    <figure className="chart">
      <div ref={box} role="img" aria-label={label} />
      <figcaption className="muted">{label}. The numbers are in the table below.</figcaption>
    </figure>
  );
};
