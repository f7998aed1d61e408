// A stacked bar chart in plain SVG, for the token usage charts (issue 19). No charting library, though the issue
// allowed one: recharts would add on the order of 100 KB of client JavaScript (gzipped; it brings d3's modules and
// lodash), visx less but still d3-scale and its own components, for two bar charts whose only arithmetic is a maximum
// and a division. Plain SVG is smaller and as clear: every size is an SVG attribute and every colour a Tailwind class,
// so there is no inline style for the console's Content-Security-Policy (style-src with a nonce) to refuse, and the
// chart renders the same on the server and in the browser, as one image with a sentence for screen readers.

/** A series: one kind of count, stacked in the order given (the first at the bottom). */
export interface BarSeries {
  /** "requests": the bars' data-series, for tests and styling. */
  name: string;
  /** The fill, a Tailwind class ("fill-indigo-500"). */
  className: string;
}

/** One bar: its value in each series (in the chart's series order) and what hovering over it says. */
export interface Bar {
  values: readonly number[];
  title: string;
}

/** A labelled tick under the bars: before bar `index` (a day's first hour, say). */
export interface XTick {
  index: number;
  label: string;
}

/** The largest of 1, 2, 2.5, 5 times a power of ten that is at least `value`: a y axis that ends on a round number. */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((factor) => factor * power >= value)!;
  return step * power;
}

const SMALL = { barWidth: 6, gap: 2, height: 24 };
const LARGE = { width: 720, height: 220, left: 50, right: 8, top: 10, bottom: 40 };

/**
 * A small chart without axes (a table cell's sparkline) or, with `xTicks`, a large one with a y axis (0, half and the
 * top of the scale, round numbers), gridlines, day ticks and axis titles. `label` is the chart's accessible name and
 * its tooltip: it must say what the numbers are, since the bars cannot. Each bar's segments carry their value in
 * data-value, and a bar without any count draws nothing.
 */
export function BarChart({
  label,
  bars,
  series,
  xTicks,
  xTitle,
  yTitle,
  testId,
  id,
}: {
  label: string;
  bars: readonly Bar[];
  series: readonly BarSeries[];
  /** Makes it the large chart with axes. */
  xTicks?: readonly XTick[];
  xTitle?: string;
  yTitle?: string;
  testId?: string;
  /** For aria-describedby: a button that opens more of the data. */
  id?: string;
}) {
  const large = xTicks !== undefined;
  const totals = bars.map((bar) => bar.values.reduce((sum, value) => sum + value, 0));
  const top = large ? niceCeiling(Math.max(0, ...totals)) : Math.max(1, ...totals);

  const plot = large
    ? {
        x: LARGE.left,
        y: LARGE.top,
        width: LARGE.width - LARGE.left - LARGE.right,
        height: LARGE.height - LARGE.top - LARGE.bottom,
      }
    : { x: 0, y: 0, width: bars.length * (SMALL.barWidth + SMALL.gap) - SMALL.gap, height: SMALL.height };
  const slot = large ? plot.width / Math.max(1, bars.length) : SMALL.barWidth + SMALL.gap;
  const barWidth = large ? Math.max(1, slot * 0.8) : SMALL.barWidth;
  const scale = (value: number) => (value / top) * plot.height;
  const bottom = plot.y + plot.height;
  const width = large ? LARGE.width : plot.width;
  const height = large ? LARGE.height : plot.height;
  const yTicks = top >= 2 ? [0, top / 2, top] : [0, top];

  return (
    <svg
      role="img"
      aria-label={label}
      viewBox={`0 0 ${width} ${height}`}
      width={large ? undefined : width}
      height={large ? undefined : height}
      className={large ? "h-auto w-full" : "block"}
      data-testid={testId}
      id={id}
    >
      <title>{label}</title>
      {large ? (
        yTicks.map((tick) => (
          <g key={tick}>
            <line
              x1={plot.x}
              x2={plot.x + plot.width}
              y1={bottom - scale(tick)}
              y2={bottom - scale(tick)}
              className={tick === 0 ? "stroke-slate-400" : "stroke-slate-200"}
              strokeWidth={1}
            />
            <text
              x={plot.x - 6}
              y={bottom - scale(tick)}
              textAnchor="end"
              dominantBaseline="middle"
              className="fill-slate-500 text-[10px] tabular-nums"
            >
              {tick.toLocaleString()}
            </text>
          </g>
        ))
      ) : (
        // The baseline, so that a week without use still shows as a (flat) chart.
        <line x1={0} x2={width} y1={height - 0.5} y2={height - 0.5} className="stroke-slate-200" strokeWidth={1} />
      )}
      {bars.map((bar, index) => {
        let base = bottom;
        return (
          <g key={index} data-index={index}>
            <title>{bar.title}</title>
            {/* The whole slot, invisible, so that hovering anywhere over a bar's column shows its title. */}
            <rect x={plot.x + index * slot} y={plot.y} width={slot} height={plot.height} className="fill-transparent" />
            {bar.values.map((value, part) => {
              if (value <= 0) return null;
              // At least one unit high: a single request in a busy week stays visible.
              const size = Math.max(1, scale(value));
              base -= size;
              return (
                <rect
                  key={part}
                  x={plot.x + index * slot + (slot - barWidth) / 2}
                  y={base}
                  width={barWidth}
                  height={size}
                  className={series[part]?.className}
                  data-series={series[part]?.name}
                  data-value={value}
                />
              );
            })}
          </g>
        );
      })}
      {large ? (
        <>
          {xTicks.map((tick) => (
            <g key={tick.index}>
              <line
                x1={plot.x + tick.index * slot}
                x2={plot.x + tick.index * slot}
                y1={bottom}
                y2={bottom + 4}
                className="stroke-slate-400"
                strokeWidth={1}
              />
              <text
                x={plot.x + tick.index * slot + 2}
                y={bottom + 14}
                className="fill-slate-500 text-[10px]"
                data-testid="x-tick"
              >
                {tick.label}
              </text>
            </g>
          ))}
          {xTitle ? (
            <text
              x={plot.x + plot.width / 2}
              y={height - 4}
              textAnchor="middle"
              className="fill-slate-600 text-[11px] font-medium"
            >
              {xTitle}
            </text>
          ) : null}
          {yTitle ? (
            <text
              transform={`translate(10 ${plot.y + plot.height / 2}) rotate(-90)`}
              textAnchor="middle"
              className="fill-slate-600 text-[11px] font-medium"
            >
              {yTitle}
            </text>
          ) : null}
        </>
      ) : null}
    </svg>
  );
}
