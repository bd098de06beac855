// Drives Chrome DevTools' own heap snapshot worker code (npm chrome-devtools-frontend) in Node:
// HeapSnapshotLoader fed with string chunks, then JSHeapSnapshot.initialize with its secondary
// init work (retainers, dominators, retained sizes) on a second worker thread as in DevTools, then
// the per-class summary (aggregatesWithFilter). Bundled by run.mjs with esbuild.
// Usage: node devtools-driver.cjs <file>   (prints a JSON result line)
import { createReadStream } from 'node:fs';
import { MessageChannel, Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { HeapSnapshotLoader } from '../.work/node_modules/chrome-devtools-frontend/front_end/entrypoints/heap_snapshot_worker/HeapSnapshotLoader.ts';
import { SecondaryInitManager } from '../.work/node_modules/chrome-devtools-frontend/front_end/entrypoints/heap_snapshot_worker/HeapSnapshot.ts';
import * as HeapSnapshotModel from '../.work/node_modules/chrome-devtools-frontend/front_end/models/heap_snapshot/heap_snapshot.js';

if (!isMainThread) {
  new SecondaryInitManager(workerData.port);
  parentPort.postMessage('ready');
} else {
  const file = process.argv[2];
  const started = performance.now();
  const channel = new MessageChannel();
  const second = new Worker(new URL(import.meta.url), { workerData: { port: channel.port2 }, transferList: [channel.port2] });
  const loader = new HeapSnapshotLoader(undefined);
  await new Promise((resolve, reject) => {
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1024 * 1024 });
    stream.on('data', (chunk) => loader.write(chunk));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  loader.close();
  const parsed = performance.now();
  const snapshot = await loader.buildSnapshot(channel.port1);
  const built = performance.now();
  const aggregates = snapshot.aggregatesWithFilter(new HeapSnapshotModel.HeapSnapshotModel.NodeFilter());
  const done = performance.now();
  const classes = Object.values(aggregates)
    .map((a) => ({ name: a.name, count: a.count, self: a.self, retained: a.maxRet }))
    .sort((a, b) => b.retained - a.retained);
  await second.terminate();
  console.log(
    JSON.stringify({
      tool: 'devtools',
      ms: done - started,
      phases: { readAndParse: parsed - started, build: built - parsed, summary: done - built },
      nodes: snapshot.nodeCount,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      top: classes.slice(0, 8),
    }),
  );
  process.exit(0);
}
