import { runRuleTests } from '../ruleTester';

const E = "const express = require('express');\nconst app = express();\n";
const B = "const { EventEmitter } = require('events');\nconst bus = new EventEmitter();\n";

runRuleTests('no-listener-leak', {
  valid: [
    // The teardown removes it.
    `class Dest {\n  constructor() {\n    this.onExit = () => this.flush();\n    process.on('exit', this.onExit);\n  }\n  flush() {}\n  destroy() { process.off('exit', this.onExit); }\n}`,
    // A method that subscribes with no per-call state is set-up, whatever its name.
    `class C {\n  constructor(s) { this.socket = s; }\n  watch() {\n    this.socket.on('data', (d) => this.onData(d));\n  }\n  onData() {}\n}`,
    // A listener on the object this method just created.
    `const net = require('net');\nclass C {\n  reconnect() {\n    this.socket = net.connect(1);\n    this.socket.on('error', () => this.reconnect());\n  }\n}`,
    // Subscribed once, guarded by a flag the block sets.
    `const { EventEmitter } = require('events');\nconst bus = new EventEmitter();\nlet subscribed = false;\nconst express = require('express');\nconst app = express();\napp.get('/x', (req, res) => {\n  if (!subscribed) {\n    subscribed = true;\n    bus.on('x', () => console.log('x'));\n  }\n  res.end();\n});`,
    // Effect with cleanup.
    { code: `import { useEffect } from 'react';\nexport function A() {\n  useEffect(() => {\n    const f = () => {};\n    window.addEventListener('resize', f);\n    return () => window.removeEventListener('resize', f);\n  }, []);\n  return null;\n}`, filename: '/project/src/a.jsx' },
    // Plugin installation is not middleware.
    `const chai = require('chai');\nchai.use((c, utils) => {\n  process.on('exit', () => utils.flag);\n});`,
    // Removed in cleanup.
    `${B}${E}app.get('/sse', (req, res) => {\n  const onPrice = (p) => res.write(String(p));\n  bus.on('price', onPrice);\n  req.on('close', () => bus.off('price', onPrice));\n});`,
    `${B}require('http').createServer((req, res) => {\n  const f = () => res.end();\n  bus.addListener('done', f);\n  res.on('finish', () => bus.removeListener('done', f));\n}).listen(1);`,
    // once / { once: true }.
    // Tied to a request-scoped signal.
    `const target = new EventTarget();\n${E}app.get('/s', (req, res) => {\n  const ac = new AbortController();\n  target.addEventListener('tick', () => res.write('.'), { signal: ac.signal });\n  res.on('close', () => ac.abort());\n});`,
    // Listeners on request-scoped emitters.
    `${E}app.post('/u', (req, res) => {\n  req.on('data', (c) => res.write(c));\n  req.on('end', () => res.end());\n});`,
    `const wss = new (require('ws').Server)({ port: 1 });\nwss.on('connection', (ws) => {\n  ws.on('message', (m) => ws.send(m));\n});`,
    // Registered once at startup (module scope or a startup function).
    `${B}bus.on('price', (p) => console.log(p));\nprocess.on('SIGTERM', () => process.exit(0));`,
    `${B}function init() {\n  bus.on('price', (p) => console.log(p));\n}\ninit();`,
    // A loop at startup over signals.
    `for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));`,
    // The unsubscribe handle is kept.
    `${E}const events = require('./events');\napp.get('/x', (req, res) => {\n  const off = events.on('x', () => res.end());\n  req.on('close', off);\n});`,
    // Guarded: once per socket.
    `const tracked = new WeakSet();\n${E}app.use((req, res, next) => {\n  if (!tracked.has(req.socket)) {\n    tracked.add(req.socket);\n    req.socket.on('close', () => {});\n  }\n  next();\n});`,
    // Interceptor added once at startup.
    `const axios = require('axios');\naxios.interceptors.request.use((c) => c);`,
    // Interceptor ejected per call.
    `const axios = require('axios');\nasync function call(token) {\n  const id = axios.interceptors.request.use((c) => { c.headers.a = token; return c; });\n  try { return await axios.get('/x'); } finally { axios.interceptors.request.eject(id); }\n}\n${E}app.get('/i', async (req, res) => res.json(await call(req.query.t)));`,
    // removeAllListeners for that event in the handler.
    `${B}${E}app.get('/r', (req, res) => {\n  bus.on('x', () => res.end());\n  res.on('close', () => bus.removeAllListeners('x'));\n});`,
    // Suppressed.
    `${B}${E}app.get('/s', (req, res) => {\n  // leak-lens-disable-next-line no-listener-leak\n  bus.on('x', () => res.end());\n});`,
  ],
  invalid: [
    // destroy() forgets the process listener the constructor added.
    { code: `class Dest {\n  constructor() {\n    process.on('exit', () => this.flush());\n  }\n  flush() {}\n  destroy() { this.flush(); }\n}`, errors: [{ messageId: 'notRemovedOnTeardown', line: 3, column: 5 }] },
    // \`{ once: true }\` on a signal that lives for the process: 'abort' fires once at most, so every request's listener stays.
    { code: `const ctrl = new AbortController();\n${E}app.get('/a', (req, res) => {\n  ctrl.signal.addEventListener('abort', () => res.end(), { once: true });\n});`, errors: [{ messageId: 'listenerPerScope', line: 5, column: 3 }] },
    // A module-level source piped into a new destination per request keeps every destination.
    { code: `const { PassThrough } = require('stream');\nconst src = new PassThrough();\nrequire('http').createServer((req, res) => {\n  const tap = new PassThrough();\n  src.pipe(tap);\n  tap.pipe(res);\n}).listen(1);`, errors: [{ messageId: 'pipePerScope', line: 5, column: 3 }] },
    // A method adding a listener that holds per-call state to a field it does not recreate.
    { code: `class C {\n  constructor(s) { this.socket = s; }\n  send(line) {\n    this.socket.on('timeout', () => this.retry(line));\n    this.socket.write(line);\n  }\n}`, errors: [{ messageId: 'listenerPerScope', line: 4, column: 5 }] },
    // `once` on an end-of-process event waits for the life of the process: one per request piles up.
    { code: `${E}app.get('/w', (req, res) => {\n  process.once('SIGTERM', () => res.end());\n});`, errors: [{ messageId: 'listenerPerScope', line: 4, column: 3 }] },
    { code: `import { useEffect } from 'react';\nexport function A() {\n  useEffect(() => {\n    window.addEventListener('resize', () => {});\n  }, []);\n  return null;\n}`, filename: '/project/src/a.jsx', errors: [{ messageId: 'listenerPerScope', line: 4, column: 5 }] },
    { code: `${E}app.get('/work', (req, res) => {\n  process.on('SIGTERM', () => res.end('bye'));\n  res.send('ok');\n});`, errors: [{ messageId: 'listenerPerScope', line: 4, column: 3 }] },
    { code: `${B}require('http').createServer((req, res) => {\n  bus.on('price', (p) => res.write(String(p)));\n}).listen(8080);`, errors: [{ messageId: 'listenerPerScope', line: 4, column: 3 }] },
    { code: `const ctrl = new AbortController();\n${E}app.get('/a', (req, res) => {\n  ctrl.signal.addEventListener('abort', () => res.end());\n});`, errors: [{ messageId: 'listenerPerScope', line: 5, column: 3 }] },
    { code: `${B}const wss = new (require('ws').Server)({ port: 1 });\nwss.on('connection', (ws) => {\n  bus.on('broadcast', (m) => ws.send(m));\n});`, errors: [{ messageId: 'listenerPerScope', line: 5, column: 3 }] },
    { code: `const { bus } = require('./bus');\nqueue.on('message', (m) => {\n  bus.on('ack', () => m.ack());\n});`, errors: [{ messageId: 'listenerPerScope', line: 3, column: 3 }] },
    { code: `${E}app.get('/k', (req, res) => {\n  req.socket.on('timeout', () => res.end());\n  res.end();\n});`, errors: [{ messageId: 'listenerPerScope', line: 4, column: 3 }] },
    { code: `const axios = require('axios');\n${E}app.get('/i', async (req, res) => {\n  axios.interceptors.request.use((c) => { c.headers.auth = req.headers.auth; return c; });\n  res.json((await axios.get('http://b')).data);\n});`, errors: [{ messageId: 'interceptorPerCall', line: 5, column: 3 }] },
    { code: `${B}setInterval(() => {\n  bus.on('tick', () => {});\n}, 1000);`, errors: [{ messageId: 'listenerPerScope', line: 4, column: 3 }] },
    { code: `${B}function subscribe(res) {\n  bus.on('update', (u) => res.write(u));\n}\n${E}app.get('/sub', (req, res) => subscribe(res));`, errors: [{ messageId: 'listenerPerScope', line: 4, column: 3 }] },
    { code: `${B}export class FeedController {\n  @Get('feed')\n  feed(@Res() res: any) {\n    bus.on('item', (i: string) => res.write(i));\n  }\n}`, filename: '/project/src/feed.controller.ts', errors: [{ messageId: 'listenerPerScope', line: 6, column: 5 }] },
    { code: `const server = require('http').createServer();\nserver.on('connection', (socket) => {\n  server.on('close', () => socket.destroy());\n});`, errors: [{ messageId: 'listenerPerScope', line: 3, column: 3 }] },
    { code: `${B}async function consume(queue) {\n  while (true) {\n    const msg = await queue.next();\n    bus.on('cancel', () => msg.nack());\n  }\n}`, errors: [{ messageId: 'listenerPerScope', line: 6, column: 5 }] },
    { code: `${B}${E}app.get('/p', (req, res) => {\n  bus.prependListener('x', () => res.end());\n});`, errors: [{ messageId: 'listenerPerScope', line: 6, column: 3 }] },
    { code: `const { Tracker } = require('./tracker');\n${E}app.get('/t', (req, res) => {\n  const t = new Tracker(req.url);\n  res.end(t.id);\n});`, files: { '/project/src/tracker.js': `class Tracker {\n  constructor(url) { this.url = url; process.on('exit', () => console.log(url)); }\n}\nmodule.exports = { Tracker };` }, errors: [{ messageId: 'listenerInConstructor', line: 5, column: 13 }] },
    { code: `class Job {\n  constructor() { process.on('beforeExit', () => this.flush()); }\n  flush() {}\n}\nqueue.on('message', () => new Job());`, errors: [{ messageId: 'listenerPerScope', line: 2, column: 19 }] },
    { code: `const cron = require('node-cron');\n${B}cron.schedule('* * * * *', () => {\n  bus.on('done', () => console.log('done'));\n});`, errors: [{ messageId: 'listenerPerScope', line: 5, column: 3 }] },
  ],
});
