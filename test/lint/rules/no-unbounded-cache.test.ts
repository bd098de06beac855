import { runRuleTests } from '../ruleTester';

const E = "const express = require('express');\nconst app = express();\n";

runRuleTests('no-unbounded-cache', {
  valid: [
    // The pending entry is deleted when the reply comes.
    `class Rpc {\n  constructor(t) { this.pending = new Map(); this.n = 0; t.on('reply', (id, r) => { this.pending.get(id)?.(r); this.pending.delete(id); }); }\n  call(m) {\n    const id = ++this.n;\n    return new Promise((resolve) => this.pending.set(id, resolve));\n  }\n}`,
    // An exported registry filled by its callers is not a per-request cache.
    `const handlers = new Map();\nexport function register(name, fn) {\n  handlers.set(name, fn);\n}`,
    // Bounded: size check + delete oldest.
    `${E}const seen = new Map();\napp.get('/t', (req, res) => {\n  if (seen.size >= 1000) seen.delete(seen.keys().next().value);\n  seen.set(req.query.s, Date.now());\n  res.end();\n});`,
    // Deleted when the connection ends.
    `const sockets = new Set();\nrequire('net').createServer((socket) => {\n  sockets.add(socket);\n  socket.on('close', () => sockets.delete(socket));\n}).listen(7000);`,
    // Evicted by a timer.
    `${E}const hits = {};\nsetInterval(() => { for (const k of Object.keys(hits)) delete hits[k]; }, 60000).unref();\napp.get('/h', (req, res) => {\n  hits[req.ip] = (hits[req.ip] || 0) + 1;\n  res.end();\n});`,
    // Cleared periodically.
    `${E}const log = [];\nsetInterval(() => { log.length = 0; }, 1000);\napp.use((req, res, next) => { log.push(req.url); next(); });`,
    // Reset by reassignment.
    `${E}let buf = [];\nfunction flush() { const b = buf; buf = []; return b; }\napp.use((req, res, next) => { buf.push(req.url); next(); });`,
    // Constant keys: bounded by the code itself.
    `${E}const counters = new Map();\napp.get('/c', (req, res) => {\n  counters.set('requests', (counters.get('requests') || 0) + 1);\n  res.end();\n});`,
    // Filled at startup only.
    `const routes = new Map();\nfor (const r of ['a', 'b']) routes.set(r, r.toUpperCase());`,
    // Not module level: per-request map dies with the request.
    `${E}app.get('/l', (req, res) => {\n  const local = new Map();\n  local.set(req.query.k, 1);\n  res.json([...local]);\n});`,
    // WeakMap keyed by the request object.
    `${E}const meta = new WeakMap();\napp.use((req, res, next) => { meta.set(req, { t: Date.now() }); next(); });`,
    // An LRU cache with max is bounded.
    `const { LRUCache } = require('lru-cache');\n${E}const cache = new LRUCache({ max: 500 });\napp.get('/x', (req, res) => { cache.set(req.query.k, 1); res.end(); });`,
    // Handed to a cleaner.
    `${E}const pending = new Map();\nstartSweeper(pending);\napp.get('/p', (req, res) => { pending.set(req.query.id, res); });`,
    // Exported: its owner module may bound it.
    `${E}export const registry = new Map();\napp.get('/r', (req, res) => { registry.set(req.query.id, 1); res.end(); });`,
    // Array with shift as a ring buffer.
    `${E}const recent = [];\napp.use((req, res, next) => {\n  recent.push(req.url);\n  if (recent.length > 100) recent.shift();\n  next();\n});`,
    // Map deleted on response finish.
    `${E}const inflight = new Map();\napp.use((req, res, next) => {\n  inflight.set(req.id, Date.now());\n  res.on('finish', () => inflight.delete(req.id));\n  next();\n});`,
    // Grown from startup code, not a repeated scope.
    `const plugins = [];\nfunction register(p) { plugins.push(p); }\nregister({ name: 'a' });`,
    // Suppressed.
    `${E}const all = new Map();\napp.get('/a', (req, res) => {\n  // leak-lens-disable-next-line no-unbounded-cache\n  all.set(req.query.k, 1);\n  res.end();\n});`,
  ],
  invalid: [
    // An object's own map: deleting one fixed key bounds nothing, as for module-level maps.
    { code: `class Rpc {\n  constructor() { this.pending = {}; this.n = 0; }\n  call() {\n    const id = ++this.n;\n    this.pending[id] = Date.now();\n  }\n  reset() { delete this.pending['warmup']; }\n}`, errors: [{ messageId: 'instanceGrowth', line: 5, column: 5 }] },
    // A long-lived client's pending-call map, never deleted when the reply arrives.
    { code: `class Rpc {\n  constructor(t) { this.t = t; this.pending = new Map(); this.n = 0; }\n  call(m) {\n    const id = ++this.n;\n    return new Promise((resolve) => { this.pending.set(id, resolve); this.t.send(id, m); });\n  }\n}`, errors: [{ messageId: 'instanceGrowth', line: 5, column: 39 }] },
    // Only one fixed key is ever deleted.
    { code: `${E}const sessions = {};\napp.post('/login/:id', (req, res) => {\n  sessions[req.params.id] = Date.now();\n  res.end();\n});\nfunction reset() { delete sessions['admin']; }`, errors: [{ messageId: 'unboundedGrowth', line: 5, column: 3 }] },
    // Keyed by the connection's id inside a nested message handler.
    { code: `const online = new Map();\nio.on('connection', (socket) => {\n  socket.on('hello', (name) => {\n    online.set(socket.id, name);\n  });\n});`, errors: [{ messageId: 'unboundedGrowth', line: 4, column: 5 }] },
    { code: `${E}const seen = new Map();\napp.get('/track', (req, res) => {\n  seen.set(req.query.session, Date.now());\n  res.end();\n});`, errors: [{ messageId: 'unboundedGrowth', line: 5, column: 3 }],
      output: `${E}const seen = new Map();\napp.get('/track', (req, res) => {\n  if (seen.size >= 1000) seen.delete(seen.keys().next().value);\n  seen.set(req.query.session, Date.now());\n  res.end();\n});` },
    { code: `const sockets = [];\nrequire('net').createServer((socket) => {\n  sockets.push(socket);\n}).listen(7000);`, errors: [{ messageId: 'unboundedGrowth', line: 3, column: 3 }] },
    { code: `${E}const hits = {};\napp.get('/h', (req, res) => {\n  hits[req.ip] = (hits[req.ip] || 0) + 1;\n  res.end();\n});`, errors: [{ messageId: 'unboundedGrowth', line: 5, column: 3 }] },
    { code: `${E}const users = new Set();\napp.post('/login', (req, res) => {\n  users.add(req.body.user);\n  res.end();\n});`, errors: [{ messageId: 'unboundedGrowth', line: 5, column: 3 }] },
    { code: `${E}const log = [];\napp.use((req, res, next) => {\n  log.push({ url: req.url, at: Date.now() });\n  next();\n});`, errors: [{ messageId: 'unboundedGrowth', line: 5, column: 3 }] },
    { code: `const cache = Object.create(null);\nmodule.exports = async (req, res) => {\n  cache[req.url] = await render(req.url);\n  res.end(cache[req.url]);\n};`, errors: [{ messageId: 'unboundedGrowth', line: 3, column: 3 }] },
    { code: `const clients = new Map();\nconst wss = new (require('ws').Server)({ port: 1 });\nwss.on('connection', (ws, req) => {\n  clients.set(req.headers['sec-websocket-key'], ws);\n});`, errors: [{ messageId: 'unboundedGrowth', line: 4, column: 3 }] },
    { code: `const seenIds = new Set();\nqueue.on('message', (m) => {\n  if (seenIds.has(m.id)) return;\n  seenIds.add(m.id);\n});`, errors: [{ messageId: 'unboundedGrowth', line: 4, column: 3 }] },
    { code: `const memo = new Map();\nfunction price(sku) {\n  if (!memo.has(sku)) memo.set(sku, lookup(sku));\n  return memo.get(sku);\n}\n${"const express = require('express');\nconst app = express();\n"}app.get('/p', (req, res) => res.json(price(req.query.sku)));`, errors: [{ messageId: 'unboundedGrowth', line: 3, column: 23 }] },
    { code: `${E}const sessions = new Map();\napp.use((req, res, next) => {\n  sessions.set(req.headers['x-session-id'], { url: req.url });\n  next();\n});`, errors: [{ messageId: 'unboundedGrowth', line: 5, column: 3 }] },
    { code: `const errors = [];\nprocess.on('unhandledRejection', (reason) => {\n  errors.push(reason);\n});`, errors: [{ messageId: 'unboundedGrowth', line: 3, column: 3 }] },
    { code: `const history = [];\nsetInterval(() => {\n  const s = process.memoryUsage();\n  history.push(s);\n}, 1000);`, errors: [{ messageId: 'unboundedGrowth', line: 4, column: 3 }] },
    { code: `const byTenant = {};\nexport async function GET(request: Request) {\n  const t = new URL(request.url).searchParams.get('t') ?? '';\n  byTenant[t] = Date.now();\n  return new Response('ok');\n}`, filename: '/project/app/x/route.ts', errors: [{ messageId: 'unboundedGrowth', line: 4, column: 3 }] },
    { code: `const waiting = new Map();\nconst io = require('socket.io')(3000);\nio.on('connection', (socket) => {\n  socket.on('join', (room) => { waiting.set(socket.id + room, socket); });\n});`, errors: [{ messageId: 'unboundedGrowth', line: 4, column: 33 }] },
    { code: `const results = new Map();\nexport class JobsController {\n  @Post('jobs')\n  create(@Body() body: any) {\n    results.set(body.id, body);\n    return { ok: true };\n  }\n}`, filename: '/project/src/jobs.controller.ts', errors: [{ messageId: 'unboundedGrowth', line: 5, column: 5 }] },
  ],
});
