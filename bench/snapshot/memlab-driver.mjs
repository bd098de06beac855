// MemLab's heap parser with dominators and retained sizes (getFullHeapFromFile), then a per-class
// summary over its node objects (count, self, sum of retained). Bundled by run.mjs.
// Usage: node memlab-driver.cjs <file>   (prints a JSON result line)
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { getFullHeapFromFile } = require('./node_modules/@memlab/heap-analysis');
const file = process.argv[2];
const started = performance.now();
// MemLab writes progress to stdout; keep stdout for the result line.
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = () => true;
const heap = await getFullHeapFromFile(file);
const built = performance.now();
const classes = new Map();
heap.nodes.forEach((node) => {
  const key = node.type === 'object' || node.type === 'native' ? node.name : `(${node.type})`;
  let c = classes.get(key);
  if (!c) classes.set(key, (c = { name: key, count: 0, self: 0, retained: 0 }));
  c.count++;
  c.self += node.self_size;
  c.retained += node.retainedSize;
});
const done = performance.now();
process.stdout.write = write;
console.log(
  JSON.stringify({
    tool: 'memlab',
    ms: done - started,
    phases: { parseAndBuild: built - started, summary: done - built },
    nodes: heap.nodes.length,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    top: [...classes.values()].sort((a, b) => b.retained - a.retained).slice(0, 8),
  }),
);
process.exit(0);
