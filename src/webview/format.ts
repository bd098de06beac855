/**
 * Axis and tooltip formatting for the chart. The webview may import only protocol/ (it is a browser
 * bundle with no access to core/), so these few lines mirror core/format.ts; headlines and hotspot
 * growth arrive already formatted from the host, so the two never disagree on what people read.
 */
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** `512 B`, `3.4 KB`, `182 MB` (binary units, like core/format.ts). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit > 0 && value >= 999.5 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 ? String(Math.round(value)) : value.toFixed(value < 10 ? 1 : 0);
  return `${bytes < 0 ? '−' : ''}${text} ${UNITS[unit]}`;
}

/** `14:32:05` in the viewer's time zone. */
export function formatClock(t: number): string {
  const d = new Date(t);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/**
 * Tick values for a byte axis from 0 to `maxBytes`: round steps in binary units (1, 2, 5, 10, 20,
 * 50… KB/MB/GB), so labels read `16 MB, 32 MB` rather than `9.5 MB, 19 MB`.
 */
export function byteTicks(maxBytes: number, count: number): number[] {
  if (!(maxBytes > 0) || count < 1) return [0];
  let unit = 1;
  while (maxBytes / unit >= 1024 && unit < 1024 ** 4) unit *= 1024;
  const raw = maxBytes / unit / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude) * unit;
  const ticks: number[] = [];
  for (let v = 0; v <= maxBytes + step / 1e6; v += step) ticks.push(v);
  return ticks;
}
