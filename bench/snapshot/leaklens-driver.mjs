// Leak Lens' engine on one file: streaming parse + dominators + retained sizes + retainer paths +
// per-class summary (readAndAnalyze), as the CLI and the worker run it. Bundled by run.mjs.
// Usage: node leaklens-driver.cjs <file>   (prints a JSON result line)
import { createReadStream, statSync } from 'node:fs';
import { readAndAnalyze } from '../../src/core/snapshot/reports';

const file = process.argv[2];
const started = performance.now();
let parsed = 0;
const analyzed = await readAndAnalyze(
  { name: file, sizeBytes: statSync(file).size, chunks: () => createReadStream(file, { highWaterMark: 1024 * 1024 }) },
  { onProgress: (p) => p.phase === 'dominators' && (parsed = performance.now()) },
);
const done = performance.now();
console.log(
  JSON.stringify({
    tool: 'leaklens',
    ms: done - started,
    phases: { readAndParse: parsed - started, analyze: done - parsed },
    nodes: analyzed.snapshot.nodeCount,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    top: analyzed.summary.classes.slice(0, 8).map((c) => ({ name: c.className, count: c.count, self: c.selfBytes, retained: c.retainedBytes })),
  }),
);
