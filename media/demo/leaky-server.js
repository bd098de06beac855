// Leak Lens demo: a small HTTP server with two realistic leaks. Run it with `leak-lens demo`, or on
// its own (`node --inspect leaky-server.js [port]`) and attach with `leak-lens watch --port 9229`.
//
// Leak 1: every request builds a SessionCache whose constructor starts a cleanup interval. Nothing
//         stops it, so each request leaves a live timer that keeps its cache (and request data) alive.
// Leak 2: a module-level Map records every request and never evicts.
'use strict';
const http = require('node:http');

class SessionCache {
  constructor(ttlMs) {
    this.entries = new Map();
    this.ttlMs = ttlMs;
    this.sweeper = setInterval(() => this.sweep(), ttlMs);
  }

  set(key, value) {
    this.entries.set(key, { value, at: Date.now() });
  }

  sweep() {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (now - entry.at > this.ttlMs) this.entries.delete(key);
  }
}

const requestLog = new Map();
let served = 0;

function recordRequest(req) {
  const id = ++served;
  requestLog.set(id, { url: req.url, headers: { ...req.headers }, at: Date.now(), trace: 'x'.repeat(2048) + id });
  return id;
}

const server = http.createServer((req, res) => {
  const id = recordRequest(req);
  if (req.url.startsWith('/session')) {
    const cache = new SessionCache(60_000);
    cache.set('user', { id, name: 'user' + id });
    res.end(JSON.stringify({ id, cached: cache.entries.size }));
    return;
  }
  res.end(JSON.stringify({ id, ok: true }));
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  // The demo driver reads this line to learn the port.
  console.log(`leaky-server listening on ${server.address().port}`);
});
