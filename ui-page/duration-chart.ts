import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './dom.js';

interface Point {
  startedAt: string;
  durationMs: number | null;
  status: string;
}

/** A marker on the time axis: a release that went live, or a rollback. */
interface Marker {
  at: string;
  label: string;
}

/* The chart's size where the page leaves it room; narrower where it does not (a phone). */
const CHART_WIDTH = 760;
const CHART_HEIGHT = 260;

/**
 * A task's run durations over time (uPlot), failed runs as a series of
 * their own, with a dashed line and a label where each release went live,
 * and a solid one where the stage rolled back.
 */
function durationChart(points: Point[], markers: Marker[], rollbacks: Marker[] = []): HTMLElement {
  const sorted = [...points].filter((point) => point.durationMs !== null).sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1));
  const figure = h('figure', { class: 'chart' });
  const caption = h(
    'figcaption',
    {},
    `Duration of the last ${sorted.length} ended runs over time; dashed lines mark releases going live, solid ones rollbacks.`,
  );
  if (sorted.length === 0) {
    figure.append(caption, h('p', { class: 'dim' }, 'No ended runs to chart yet.'));
    return figure;
  }
  const xs = sorted.map((point) => Date.parse(point.startedAt) / 1000);
  const ok = sorted.map((point) => (point.status === 'succeeded' ? (point.durationMs as number) / 1000 : null));
  const bad = sorted.map((point) => (point.status !== 'succeeded' ? (point.durationMs as number) / 1000 : null));
  const releaseMarks = markers.map((marker) => ({ x: Date.parse(marker.at) / 1000, label: marker.label }));
  const rollbackMarks = rollbacks.map((marker) => ({ x: Date.parse(marker.at) / 1000, label: marker.label }));
  const drawSet = (chart: uPlot, marks: { x: number; label: string }[], colour: string, dash: number[], row: number): void => {
    const { ctx } = chart;
    ctx.save();
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.setLineDash(dash);
    ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
    // uPlot leaves the context centring text (its axis labels): a label starts where it is placed.
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    // A label that would run into the one before it is left out; its line stays.
    let labelsFreeFrom = -Infinity;
    for (const mark of [...marks].sort((a, b) => a.x - b.x)) {
      const x = chart.valToPos(mark.x, 'x', true);
      if (x < chart.bbox.left || x > chart.bbox.left + chart.bbox.width) continue;
      ctx.beginPath();
      ctx.moveTo(x, chart.bbox.top);
      ctx.lineTo(x, chart.bbox.top + chart.bbox.height);
      ctx.stroke();
      // Right of its line; left of it when the plot ends first; never past either edge of the plot (onto an axis).
      const width = ctx.measureText(mark.label).width;
      const gap = 4 * devicePixelRatio;
      const right = chart.bbox.left + chart.bbox.width;
      const labelX = Math.max(chart.bbox.left + gap, x + gap + width <= right ? x + gap : x - gap - width);
      if (labelX < labelsFreeFrom) continue;
      ctx.fillText(mark.label, labelX, chart.bbox.top + row * 14 * devicePixelRatio);
      labelsFreeFrom = labelX + width + 6 * devicePixelRatio;
    }
    ctx.restore();
  };
  const drawMarkers = (chart: uPlot): void => {
    drawSet(chart, releaseMarks, '#4a2a70', [5, 4], 1);
    drawSet(chart, rollbackMarks, '#8a3b00', [], 2);
  };
  const allMarks = [...releaseMarks, ...rollbackMarks];
  const min = Math.min(xs[0] as number, ...allMarks.map((mark) => mark.x));
  const max = Math.max(xs[xs.length - 1] as number, ...allMarks.map((mark) => mark.x));
  figure.append(caption);
  const host = h('div', {
    role: 'img',
    'aria-label': `Chart of ${sorted.length} run durations with ${markers.length} release markers and ${rollbacks.length} rollback markers`,
  });
  figure.append(host);
  const plot = new uPlot(
    {
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      scales: { x: { time: true, range: [min - 60, max + 60] } },
      // A tick's label can carry its date (`12/5/26 10:57am`): ticks at least this far apart keep labels from overlapping.
      axes: [{ space: 110 }, {}],
      series: [
        {},
        { label: 'succeeded (s)', stroke: '#1d6b35', points: { show: true, size: 6 }, paths: () => null },
        { label: 'not succeeded (s)', stroke: '#a3231b', points: { show: true, size: 6 }, paths: () => null },
      ],
      hooks: { draw: [drawMarkers] },
    },
    [xs, ok, bad],
    host,
  );
  // As wide as the page leaves it, up to 760 px: on a phone the whole chart shows, with no scrolling.
  new ResizeObserver(() => {
    const width = Math.min(CHART_WIDTH, figure.clientWidth);
    if (width > 0 && width !== plot.width) plot.setSize({ width, height: CHART_HEIGHT });
  }).observe(figure);
  return figure;
}

export { durationChart };
export type { Marker, Point };
