// A small line chart drawn as inline SVG on the server: gridlines, one line per series, points with titles; no JavaScript.
export interface ChartPoint {
  x: number;
  y: number | null;
  /** Shown on hover (SVG <title>) and to screen readers. */
  label: string;
}

export interface ChartSeries {
  name: string;
  points: ChartPoint[];
}

export interface LineChartProps {
  title: string;
  series: ChartSeries[];
  yMin?: number;
  yMax?: number;
  /** Text under the first and last x positions. */
  xStart?: string;
  xEnd?: string;
  width?: number;
  height?: number;
}

const PALETTE = ["#3b5bdb", "#e8590c", "#2b8a3e", "#ae3ec9", "#c92a2a", "#1098ad", "#5c940d", "#862e9c"];
const PAD = { left: 34, right: 10, top: 10, bottom: 22 };

const fmt = (n: number) => (Math.abs(n) >= 10 ? n.toFixed(0) : n.toFixed(2).replace(/\.?0+$/, "") || "0");

export function LineChart({ title, series, yMin = 0, yMax = 1, xStart, xEnd, width = 360, height = 150 }: LineChartProps) {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs) : 1;
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const sx = (x: number) => PAD.left + (xMax === xMin ? plotW / 2 : ((x - xMin) / (xMax - xMin)) * plotW);
  const sy = (y: number) => PAD.top + plotH - ((Math.min(yMax, Math.max(yMin, y)) - yMin) / (yMax - yMin || 1)) * plotH;
  const ticks = [yMin, (yMin + yMax) / 2, yMax];
  const hasData = series.some((s) => s.points.some((p) => p.y !== null));
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} width={String(width)} height={String(height)} role="img" aria-label={title}>
        <title safe>{title}</title>
        {ticks.map((t) => (
          <g class="grid">
            <line x1={String(PAD.left)} x2={String(width - PAD.right)} y1={String(sy(t))} y2={String(sy(t))} />
            <text x={String(PAD.left - 4)} y={String(sy(t) + 3)} text-anchor="end" safe>{fmt(t)}</text>
          </g>
        ))}
        {xStart ? <text class="axis" x={String(PAD.left)} y={String(height - 6)} safe>{xStart}</text> : ""}
        {xEnd ? <text class="axis" x={String(width - PAD.right)} y={String(height - 6)} text-anchor="end" safe>{xEnd}</text> : ""}
        {!hasData ? <text class="axis" x={String(width / 2)} y={String(height / 2)} text-anchor="middle">no data yet</text> : ""}
        {series.map((s, i) => {
          const color = PALETTE[i % PALETTE.length]!;
          const drawn = s.points.filter((p): p is ChartPoint & { y: number } => p.y !== null);
          return (
            <g class="series">
              {drawn.length > 1 ? <polyline fill="none" stroke={color} stroke-width="2" points={drawn.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(" ")} /> : ""}
              {drawn.map((p) => (
                <circle cx={sx(p.x).toFixed(1)} cy={sy(p.y).toFixed(1)} r="3" fill={color}>
                  <title safe>{`${s.name}: ${p.label}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <strong safe>{title}</strong>
        {series.length > 1 || series[0]?.name ? (
          <span class="chart-legend">
            {series.map((s, i) => (
              <span class="chart-key" style={`--key:${PALETTE[i % PALETTE.length]}`} safe>{s.name}</span>
            ))}
          </span>
        ) : ""}
      </figcaption>
    </figure>
  );
}
