// Leak Lens' engine on one file: streaming parse + dominators + retained sizes + retainer paths +
// per-class summary (readAndAnalyze), as the CLI and the worker run it. Bundled by run.mjs.
// Usage: node leaklens-driver.cjs <file>   (prints a JSON result line)
import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { readAndAnalyze } from '../../src/core/snapshot/reports';

// The same reading as src/cli/snapshot.ts: one reused 1 MiB buffer.
async function* readChunks(path) {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(1024 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

const file = process.argv[2];
const started = performance.now();
let parsed = 0;
const analyzed = await readAndAnalyze(
  { name: file, sizeBytes: statSync(file).size, chunks: () => readChunks(file) },
  { onProgress: (p) => p.phase === 'paths' && (parsed = performance.now()) },
);
const done = performance.now();
console.log(
  JSON.stringify({
    tool: 'leaklens',
    ms: done - started,
    phases: { readAndParse: parsed - started, analyze: done - parsed },
    nodes: analyzed.snapshot.nodeCount,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    top: analyzed.summary.classes.slice(0, 8).map((c) => ({ name: c.className, count: c.count, self: c.selfBytes, retained: c.retainedBytes })),
  }),
);
