import { runRuleTests } from '../ruleTester';

const E = "const express = require('express');\nconst app = express();\n";
const W = "const wss = new (require('ws').Server)({ port: 1 });\n";

runRuleTests('no-uncleared-timer', {
  valid: [
    // Cleared when the wrapped promise settles.
    `function withTimeout(p, ms) {\n  return new Promise((resolve, reject) => {\n    const t = setTimeout(() => reject(new Error('timeout')), ms);\n    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });\n  });\n}`,
    // A plain sleep: the timer is the only way the promise settles.
    `const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));`,
    // Cleared by the teardown.
    `class C {\n  connect() { this.retry = setTimeout(() => this.connect(), 1000); }\n  end() { clearTimeout(this.retry); }\n}`,
    // Started lazily once, guarded by its own handle.
    `const express = require('express');\nconst app = express();\nlet sweeper;\napp.get('/x', (req, res) => {\n  if (!sweeper) sweeper = setInterval(() => {}, 60000);\n  res.end();\n});`,
    // A startup function taking options.
    `function startMonitor(options) {\n  const stats = { n: 0 };\n  setInterval(() => { stats.n += options.step; }, 1000);\n}`,
    // Cleared on close.
    `${W}wss.on('connection', (ws) => {\n  const t = setInterval(() => ws.ping(), 30000);\n  ws.on('close', () => clearInterval(t));\n});`,
    `${E}app.get('/tick', (req, res) => {\n  const t = setInterval(() => res.write('.'), 1000);\n  res.on('close', () => clearInterval(t));\n});`,
    // Process-lifetime, module scope (unref'd or not).
    `setInterval(() => console.log(process.memoryUsage().rss), 60000).unref();`,
    `const stats = { n: 0 };\nsetInterval(() => { stats.n = 0; }, 1000);`,
    // Stored on this, cleared in close().
    `class Cache {\n  constructor() { this.timer = setInterval(() => this.sweep(), 1000); }\n  sweep() {}\n  close() { clearInterval(this.timer); }\n}`,
    `class Poller {\n  start() { this.t = setInterval(() => {}, 1000); }\n  stop() { clearInterval(this.t); }\n}`,
    // unref'd in a class meant to live for the process.
    `class Metrics {\n  constructor() { this.t = setInterval(() => {}, 1000); this.t.unref(); }\n}`,
    // Returned to the caller.
    `function every(ms, f) {\n  return setInterval(f, ms);\n}`,
    // Startup function with no per-call data.
    `function main() {\n  setInterval(() => console.log('alive'), 10000);\n}\nmain();`,
    // Self-clearing interval.
    `function waitFor(check, done) {\n  const t = setInterval(() => { if (check()) { clearInterval(t); done(); } }, 50);\n}`,
    // Promise.race with cleared timeout.
    `async function withTimeout(p, ms) {\n  let t;\n  const timeout = new Promise((_, reject) => { t = setTimeout(() => reject(new Error('timeout')), ms); });\n  try { return await Promise.race([p, timeout]); } finally { clearTimeout(t); }\n}`,
    // A sleep helper not used in a race.
    `const sleep = (ms) => new Promise((r) => setTimeout(r, ms));\nasync function f() { await sleep(10); }`,
    // Polling with a stop condition.
    `${E}let stopped = false;\nfunction poll() {\n  if (stopped) return;\n  setTimeout(poll, 1000);\n}\napp.get('/p', (req, res) => { poll(); res.end(); });`,
    // Polling started once at startup.
    `function poll() {\n  setTimeout(poll, 1000);\n}\npoll();`,
    // Handle pushed to a list someone clears.
    `const timers = [];\nfunction start(ms) {\n  timers.push(setInterval(() => {}, ms));\n}`,
    // Suppressed.
    `${W}wss.on('connection', (ws) => {\n  // leak-lens-disable-next-line no-uncleared-timer\n  setInterval(() => ws.ping(), 30000);\n});`,
  ],
  invalid: [
    // p-timeout before its fix: the timer is not cleared when the wrapped promise wins.
    { code: `function withTimeout(p, ms) {\n  return new Promise((resolve, reject) => {\n    setTimeout(() => reject(new Error('timeout')), ms);\n    p.then(resolve, reject);\n  });\n}`, errors: [{ messageId: 'timeoutOutlivesPromise', line: 3, column: 5 }] },
    // Repeated across files: an exported start-up-named helper that a route in another file calls per connection.
    { code: `function startHeartbeat(ws) {\n  setInterval(() => ws.ping(), 30000);\n}\nmodule.exports = { startHeartbeat };`, filename: '/project/src/heartbeat.js',
      files: { '/project/src/server.js': `const { startHeartbeat } = require('./heartbeat');\nconst wss = new (require('ws').Server)({ port: 1 });\nwss.on('connection', (ws) => startHeartbeat(ws));` },
      errors: [{ messageId: 'intervalPerScope', line: 2, column: 3 }] },
    // end() forgets the reconnect timer scheduled from the stream's 'close'.
    { code: `class C {\n  connect() {\n    this.s = open();\n    this.s.on('close', () => { this.retry = setTimeout(() => this.connect(), 1000); });\n  }\n  end() { this.s.destroy(); }\n}`, errors: [{ messageId: 'notClearedOnTeardown', line: 4, column: 45 }] },
    // The racing promise kept in a local first.
    { code: `async function d(p, ms) {\n  const deadline = new Promise((_, reject) => {\n    setTimeout(() => reject(new Error('t')), ms);\n  });\n  return Promise.race([p, deadline]);\n}`, errors: [{ messageId: 'raceTimer', line: 3, column: 5 }] },
    { code: `import { useEffect } from 'react';\nexport function A() {\n  useEffect(() => {\n    const t = setInterval(() => {}, 1000);\n  }, []);\n  useEffect(() => {\n    const t = setInterval(() => {}, 1000);\n    return () => clearInterval(t);\n  }, []);\n  return null;\n}`, filename: '/project/src/a.jsx', errors: [{ messageId: 'intervalPerScope', line: 4, column: 15 }] },
    { code: `${W}wss.on('connection', (ws) => {\n  setInterval(() => ws.ping(), 30000);\n});`, errors: [{ messageId: 'intervalPerScope', line: 3, column: 3 }],
      output: `${W}wss.on('connection', (ws) => {\n  const timer = setInterval(() => ws.ping(), 30000);\n  ws.on('close', () => clearInterval(timer));\n});` },
    { code: `${E}app.get('/watch', (req, res) => {\n  setInterval(() => res.write('.'), 1000);\n});`, errors: [{ messageId: 'intervalPerScope', line: 4, column: 3 }] },
    { code: `${E}app.get('/u', (req, res) => {\n  setInterval(() => {}, 1000).unref();\n  res.end();\n});`, errors: [{ messageId: 'intervalPerScope', line: 4, column: 3 }] },
    { code: `${E}app.get('/v', (req, res) => {\n  const t = setInterval(() => res.write('.'), 1000);\n  res.write(String(!!t));\n});`, errors: [{ messageId: 'intervalPerScope', line: 4, column: 13 }] },
    { code: `queue.on('message', (m) => {\n  setInterval(() => m.touch(), 5000);\n});`, errors: [{ messageId: 'intervalPerScope', line: 2, column: 3 }] },
    { code: `function withTimeout(p, ms) {\n  return Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error('t')), ms))]);\n}`, errors: [{ messageId: 'raceTimer', line: 2, column: 54 }] },
    { code: `function timeout(ms) {\n  return new Promise((_, reject) => setTimeout(() => reject(new Error('t')), ms));\n}\nasync function get(p) {\n  return Promise.race([p, timeout(5000)]);\n}`, errors: [{ messageId: 'raceTimer', line: 2, column: 37 }] },
    { code: `class Cache {\n  constructor() { this.timer = setInterval(() => this.sweep(), 1000); }\n  sweep() {}\n}`, errors: [{ messageId: 'neverCleared', line: 2, column: 32 }] },
    { code: `class Heart {\n  start() { setInterval(() => this.beat(), 1000); }\n  beat() {}\n}`, errors: [{ messageId: 'neverCleared', line: 2, column: 13 }] },
    { code: `function heartbeat(ws) {\n  setInterval(() => ws.ping(), 30000);\n}`, errors: [{ messageId: 'neverCleared', line: 2, column: 3 }] },
    { code: `function track(socket) {\n  const t = setInterval(() => socket.write('x'), 1000);\n  socket.write(String(!!t));\n}`, errors: [{ messageId: 'neverCleared', line: 2, column: 13 }] },
    { code: `${E}function poll(res) {\n  res.write('.');\n  setTimeout(() => poll(res), 1000);\n}\napp.get('/poll', (req, res) => poll(res));`, errors: [{ messageId: 'pollingWithoutStop', line: 5, column: 3 }] },
    { code: `const cron = require('node-cron');\ncron.schedule('*/5 * * * *', () => {\n  setInterval(() => console.log('x'), 1000);\n});`, errors: [{ messageId: 'intervalPerScope', line: 3, column: 3 }] },
    { code: `export class LiveController {\n  @Get('live')\n  live(@Res() res: any) {\n    setInterval(() => res.write('.'), 1000);\n  }\n}`, filename: '/project/src/live.controller.ts', errors: [{ messageId: 'intervalPerScope', line: 4, column: 5 }] },
    { code: `async function consume(q) {\n  for await (const m of q) {\n    setInterval(() => m.extend(), 1000);\n  }\n}`, errors: [{ messageId: 'intervalPerScope', line: 3, column: 5 }] },
    { code: `const Store = class {\n  constructor() { setInterval(() => this.flush(), 100); }\n  flush() {}\n};`, errors: [{ messageId: 'neverCleared', line: 2, column: 19 }] },
  ],
});
