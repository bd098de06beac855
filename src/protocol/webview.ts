/**
 * Messages between the extension host (src/extension/chartPanel.ts) and the memory chart webview
 * (src/webview/main.ts). Types and constants only. Requests carry an `id` and are answered by a
 * `response` with the same id and `{ ok } | { error }`.
 */
import type { WireError } from '../shared/errors';
import type { Hotspot, MemorySample, TargetInfo, Verdict } from '../core/report';

// Re-exported so the webview (which may import only protocol/) names the same types.
export type { MemorySample, TargetInfo, Verdict };

/** A hotspot as the chart shows it. `key` is what the webview sends back to reveal it. */
export interface ChartHotspot {
  key: string;
  label: string;
  /** Growth in the unit of its kind, already formatted (`+1.2 MB/min`). */
  growth: string;
  kindLabel: string;
  file: string;
  line: number;
  via?: string;
  score: number;
  kind: Hotspot['kind'];
}

/** Everything the chart needs to draw from scratch (sent on `ready`, e.g. after the view was hidden). */
export interface ChartSnapshot {
  target: TargetInfo;
  state: 'attaching' | 'watching' | 'ended';
  /** Why watching ended, for people ("target exited"). */
  endedReason?: string;
  samples: MemorySample[];
  verdict?: Verdict;
  /** Already-formatted one-liners so the webview does not re-implement core/format. */
  headline?: string;
  projection?: string;
  hotspots: ChartHotspot[];
}

/** Host → webview. */
export type HostToChart =
  | { type: 'snapshot'; snapshot: ChartSnapshot }
  | { type: 'samples'; samples: MemorySample[] }
  | { type: 'report'; verdict: Verdict; headline: string; projection?: string; hotspots: ChartHotspot[] }
  | { type: 'state'; state: ChartSnapshot['state']; endedReason?: string }
  | { type: 'request'; id: number; method: typeof CHART_METHOD_RENDER_STATE }
  | { type: 'response'; id: number; ok?: unknown; error?: WireError };

/** Webview → host. */
export type ChartToHost =
  | { type: 'ready' }
  | { type: 'revealHotspot'; key: string }
  | { type: 'request'; id: number; method: typeof CHART_METHOD_PING }
  | { type: 'response'; id: number; ok?: ChartRenderState; error?: WireError };

/** Host asks the webview what it has drawn (tests and diagnostics). */
export const CHART_METHOD_RENDER_STATE = 'renderState';
/** Webview checks the host is listening; the host answers `{ ok: 'pong' }`. */
export const CHART_METHOD_PING = 'ping';

/** What the chart currently shows: answers {@link CHART_METHOD_RENDER_STATE}. */
export interface ChartRenderState {
  samplesDrawn: number;
  /** Names of the series drawn as lines, e.g. ['rss', 'heapTotal', 'heapUsed', 'external']. */
  series: string[];
  hotspotRows: number;
  resourceRows: number;
  width: number;
  height: number;
  theme: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light' | 'unknown';
  headline: string;
}

/** The series the chart draws, in legend order. */
export const CHART_SERIES = ['rss', 'heapTotal', 'heapUsed', 'external'] as const;
export type ChartSeries = (typeof CHART_SERIES)[number];
