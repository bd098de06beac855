import { runRuleTests } from '../ruleTester';

const F = "const fs = require('fs');\n";
const E = "const express = require('express');\nconst app = express();\n";

runRuleTests('no-unclosed-resource', {
  valid: [
    // Released before the callback looks at the error.
    `const pool = require('mysql').createPool({});\nfunction find(id, cb) {\n  pool.getConnection((err, conn) => {\n    if (err) return cb(err);\n    conn.query('q', [id], (qerr, rows) => {\n      conn.release();\n      if (qerr) return cb(qerr);\n      cb(null, rows);\n    });\n  });\n}`,
    // The timeout destroys the request.
    `const https = require('https');\nfunction get(url) {\n  return new Promise((resolve, reject) => {\n    const req = https.request(url, (res) => { res.resume(); resolve(res.statusCode); });\n    req.setTimeout(1000, () => req.destroy(new Error('timeout')));\n    req.on('error', reject);\n    req.end();\n  });\n}`,
    // Every outcome goes through a helper that destroys the socket.
    `const net = require('net');\nfunction probe(port) {\n  return new Promise((resolve) => {\n    const s = net.connect(port);\n    const done = (up) => { s.destroy(); resolve(up); };\n    s.setTimeout(1000, () => done(false));\n    s.on('connect', () => done(true));\n  });\n}\nsetInterval(() => probe(1), 5000);`,
    // acquire/release pairs are the owner's contract.
    `const fs = require('fs');\nclass L {\n  acquire(p) { this.fd = fs.openSync(p, 'wx'); }\n  release() { if (this.fd) fs.closeSync(this.fd); this.fd = undefined; }\n}`,
    // beforeEach/afterEach pairs.
    `const http = require('http');\nlet server;\nbeforeEach(() => { server = http.createServer(); server.listen(0); });\nafterEach(() => server.close());`,
    // The old server is closed before the new one is made.
    `const http = require('http');\nlet server;\nfunction reload(c) {\n  const next = () => { server = http.createServer(); server.listen(c.port); };\n  if (server) server.close(next); else next();\n}\nprocess.on('SIGHUP', () => reload({}));`,
    // Closed in finally.
    `${F}async function head(p) {\n  const fh = await fs.promises.open(p, 'r');\n  try {\n    return await fh.read(Buffer.alloc(8), 0, 8, 0);\n  } finally {\n    await fh.close();\n  }\n}`,
    `${F}function first(p) {\n  const fd = fs.openSync(p, 'r');\n  try {\n    const b = Buffer.alloc(8);\n    fs.readSync(fd, b, 0, 8, 0);\n    return b;\n  } finally {\n    fs.closeSync(fd);\n  }\n}`,
    `const { Pool } = require('pg');\nconst pool = new Pool();\nasync function q(sql) {\n  const client = await pool.connect();\n  try {\n    return await client.query(sql);\n  } finally {\n    client.release();\n  }\n}`,
    // Piped / handed to an owner.
    `${F}const { pipeline } = require('stream/promises');\nasync function send(p, res) {\n  await pipeline(fs.createReadStream(p), res);\n}`,
    `${F}${E}app.get('/f', (req, res) => {\n  fs.createReadStream('/data/' + req.query.f).pipe(res);\n});`,
    `${F}async function route(request, reply) {\n  return reply.send(fs.createReadStream('/data/x'));\n}`,
    // Returned to the caller, who owns it.
    `${F}function openLog(p) {\n  return fs.createWriteStream(p, { flags: 'a' });\n}`,
    `${F}class Logger { constructor(s) { this.s = s; } }\nfunction make(p) {\n  return new Logger(fs.createWriteStream(p));\n}`,
    // await using (TypeScript).
    { code: `import { open } from 'node:fs/promises';\nexport async function size(p: string) {\n  await using fh = await open(p);\n  return (await fh.stat()).size;\n}`, filename: '/project/src/size.ts' },
    // Stored on this and closed in close().
    `${F}class Log {\n  constructor(p) { this.ws = fs.createWriteStream(p); }\n  close() { this.ws.end(); }\n}`,
    // Module scope: process lifetime.
    `${F}const logStream = fs.createWriteStream('app.log');\nlogStream.write('start');`,
    // Callback style, closed.
    `${F}function peek(p, cb) {\n  fs.open(p, 'r', (err, fd) => {\n    if (err) return cb(err);\n    fs.close(fd, cb);\n  });\n}`,
    `const { Pool } = require('pg');\nconst pool = new Pool();\npool.connect((err, client, done) => {\n  if (err) return;\n  client.query('select 1', () => done());\n});`,
    // A watcher created once at startup is not a leak.
    `${F}function watchConfig(reload) {\n  fs.watch('config.json', reload);\n}`,
    // Socket closed from its data callback.
    `const net = require('net');\n${E}app.get('/ping', (req, res) => {\n  const s = net.connect(6379, '127.0.0.1');\n  s.on('data', (d) => { res.end(d); s.end(); });\n  s.write('PING\\r\\n');\n});`,
    // A read stream consumed to the end closes itself.
    `${F}async function count(p) {\n  const rs = fs.createReadStream(p);\n  let n = 0;\n  for await (const chunk of rs) n += chunk.length;\n  return n;\n}`,
    // Suppressed on purpose.
    `${F}function keep(p) {\n  // leak-lens-disable-next-line no-unclosed-resource\n  const fd = fs.openSync(p, 'r');\n  fs.readSync(fd, Buffer.alloc(1), 0, 1, 0);\n}`,
    // Early return guarded by the resource itself.
    `${F}async function maybe(p) {\n  const fh = await fs.promises.open(p).catch(() => null);\n  if (!fh) return null;\n  const s = await fh.stat();\n  await fh.close();\n  return s;\n}`,
  ],
  invalid: [
    // Released inside the query callback, but its error path returns first.
    { code: `const pool = require('mysql').createPool({});\nfunction find(id, cb) {\n  pool.getConnection((err, conn) => {\n    if (err) return cb(err);\n    conn.query('q', [id], (qerr, rows) => {\n      if (qerr) return cb(qerr);\n      conn.release();\n      cb(null, rows);\n    });\n  });\n}`, errors: [{ messageId: 'notClosedOnExit', line: 3, column: 3 }] },
    // A client request whose timeout rejects but leaves the socket open.
    { code: `const https = require('https');\nfunction get(url) {\n  return new Promise((resolve, reject) => {\n    const req = https.request(url, (res) => { res.resume(); resolve(res.statusCode); });\n    req.setTimeout(1000, () => reject(new Error('timeout')));\n    req.end();\n  });\n}`, errors: [{ messageId: 'timeoutKeepsOpen', line: 4, column: 17 }] },
    // A WebSocket client per request, never closed.
    { code: `const WebSocket = require('ws');\n${E}app.get('/q', (req, res) => {\n  const ws = new WebSocket('ws://backend');\n  ws.on('message', (m) => res.send(String(m)));\n});`, errors: [{ messageId: 'neverClosed', line: 5, column: 14 }] },
    // Ended when it connects, left open when it times out.
    { code: `const net = require('net');\nfunction probe(port) {\n  return new Promise((resolve) => {\n    const s = net.connect(port);\n    s.setTimeout(1000);\n    s.on('connect', () => { s.end(); resolve(true); });\n    s.on('timeout', () => resolve(false));\n  });\n}\nsetInterval(() => probe(1), 5000);`, errors: [{ messageId: 'timeoutKeepsOpen', line: 4, column: 15 }] },
    // Relisten on reload without closing the old server.
    { code: `const http = require('http');\nlet server;\nfunction reload(c) {\n  server = http.createServer((q, s) => s.end(c.banner));\n  server.listen(c.port);\n}\nprocess.on('SIGHUP', () => reload({}));`, errors: [{ messageId: 'replaced', line: 4, column: 12 }] },
    // Reconnect from the socket's own timeout handler; only the error handler destroys the old socket.
    { code: `const net = require('net');\nclass C {\n  constructor() { this.reconnect(); }\n  reconnect() {\n    this.socket = net.connect(1);\n    this.socket.setTimeout(10, () => this.reconnect());\n    this.socket.on('error', () => { this.socket.destroy(); this.reconnect(); });\n  }\n}`, errors: [{ messageId: 'replaced', line: 5, column: 19 }] },
    // close() forgets the watcher the constructor started.
    { code: `const fs = require('fs');\nclass W {\n  constructor(p) {\n    this.w = fs.watch(p, () => {});\n    this.t = setInterval(() => {}, 1000);\n  }\n  close() { clearInterval(this.t); }\n}`, errors: [{ messageId: 'notReleasedOnTeardown', line: 4, column: 14 }] },
    // Emptied before the close: the close releases nothing.
    { code: `const fs = require('fs');\nclass L {\n  acquire(p) { this.fd = fs.openSync(p, 'wx'); }\n  release() {\n    this.fd = null;\n    if (this.fd !== null) fs.closeSync(this.fd);\n  }\n}`, errors: [{ messageId: 'notReleasedOnTeardown', line: 3, column: 26 }] },
    // Released on the success path only: a failing query skips the release (node-postgres' pool runs dry).
    { code: `const { Pool } = require('pg');\nconst pool = new Pool();\nasync function t(a) {\n  const client = await pool.connect();\n  await client.query('UPDATE x SET y = $1', [a]);\n  client.release();\n}`, errors: [{ messageId: 'notClosedOnThrow', line: 4, column: 24 }],
      output: `const { Pool } = require('pg');\nconst pool = new Pool();\nasync function t(a) {\n  const client = await pool.connect();\n  try {\n    await client.query('UPDATE x SET y = $1', [a]);\n  } finally {\n    client.release();\n  }\n}` },
    { code: `${F}async function head(p) {\n  const fh = await fs.promises.open(p, 'r');\n  const r = await fh.read(Buffer.alloc(8), 0, 8, 0);\n  return r.buffer;\n}`, errors: [{ messageId: 'neverClosed', line: 3, column: 20 }] },
    { code: `import { open } from 'node:fs/promises';\nexport async function size(p) {\n  const fh = await open(p);\n  const st = await fh.stat();\n  if (st.size === 0) return 0;\n  await fh.close();\n  return st.size;\n}`, errors: [{ messageId: 'notClosedOnExit', line: 3, column: 20 }] },
    { code: `const { Pool } = require('pg');\nconst pool = new Pool();\nasync function user(id) {\n  const client = await pool.connect();\n  const r = await client.query('select 1', [id]);\n  if (r.rows.length === 0) throw new Error('none');\n  client.release();\n  return r.rows[0];\n}`, errors: [{ messageId: 'notClosedOnExit', line: 4, column: 24 }] },
    { code: `${F}function first(p) {\n  const fd = fs.openSync(p, 'r');\n  const b = Buffer.alloc(8);\n  fs.readSync(fd, b, 0, 8, 0);\n  return b;\n}`, errors: [{ messageId: 'neverClosed', line: 3, column: 14 }],
      output: `${F}function first(p) {\n  const fd = fs.openSync(p, 'r');\n  try {\n    const b = Buffer.alloc(8);\n    fs.readSync(fd, b, 0, 8, 0);\n    return b;\n  } finally {\n    fs.closeSync(fd);\n  }\n}` },
    { code: `${F}function peek(p, cb) {\n  fs.open(p, 'r', (err, fd) => {\n    if (err) return cb(err);\n    fs.read(fd, Buffer.alloc(4), 0, 4, 0, cb);\n  });\n}`, errors: [{ messageId: 'neverClosed', line: 3, column: 3 }] },
    { code: `${F}function log(p, lines) {\n  const ws = fs.createWriteStream(p);\n  for (const l of lines) ws.write(l);\n}`, errors: [{ messageId: 'neverClosed', line: 3, column: 14 }] },
    { code: `${F}function touch(p) {\n  fs.createWriteStream(p);\n}`, errors: [{ messageId: 'discarded', line: 3, column: 3 }] },
    { code: `const zlib = require('zlib');\nfunction pack(data) {\n  const gz = zlib.createGzip();\n  gz.write(data);\n  return data.length;\n}`, errors: [{ messageId: 'neverClosed', line: 3, column: 14 }] },
    { code: `${F}${E}app.get('/w', (req, res) => {\n  fs.watch('/data', () => res.write('changed'));\n});`, errors: [{ messageId: 'discarded', line: 5, column: 3 }] },
    // fs.watchFile is found again by path: the message asks for unwatchFile, not for a stored reference.
    { code: `${F}${E}app.post('/uploads/:name', (req, res) => {\n  fs.watchFile('/uploads/' + req.params.name, () => {});\n  res.end();\n});`, errors: [{ messageId: 'neverUnwatched', line: 5, column: 3 }] },
    { code: `const net = require('net');\n${E}app.get('/ping', (req, res) => {\n  const s = net.connect(6379, '127.0.0.1');\n  s.write('PING\\r\\n');\n  res.end();\n});`, errors: [{ messageId: 'neverClosed', line: 5, column: 13 }] },
    { code: `const http = require('http');\nqueue.on('message', (m) => {\n  const srv = http.createServer();\n  srv.listen(0);\n});`, errors: [{ messageId: 'neverClosed', line: 3, column: 15 }] },
    { code: `const readline = require('readline');\n${E}app.post('/ask', (req, res) => {\n  const rl = readline.createInterface({ input: process.stdin });\n  rl.on('line', (l) => res.write(l));\n});`, errors: [{ messageId: 'neverClosed', line: 5, column: 14 }] },
    { code: `const mysql = require('mysql2');\nasync function q(sql) {\n  const c = mysql.createConnection({ host: 'db' });\n  return new Promise((r) => c.query(sql, (e, rows) => r(rows)));\n}`, errors: [{ messageId: 'neverClosed', line: 3, column: 13 }] },
    { code: `const { Client } = require('pg');\nasync function count() {\n  const client = new Client();\n  await client.connect();\n  const r = await client.query('select 1');\n  return r.rows;\n}`, errors: [{ messageId: 'neverClosed', line: 3, column: 18 }] },
    { code: `const mysql = require('mysql');\nconst pool = mysql.createPool({});\nfunction q(cb) {\n  pool.getConnection((err, conn) => {\n    if (err) return cb(err);\n    conn.query('select 1', cb);\n  });\n}`, errors: [{ messageId: 'neverClosed', line: 4, column: 3 }] },
    { code: `import { open } from 'node:fs/promises';\nexport async function peek(p: string) {\n  const fh = await open(p);\n  return (await fh.stat()).size;\n}`, filename: '/project/src/peek.ts', errors: [{ messageId: 'neverClosed', line: 3, column: 20 }] },
    { code: `const chokidar = require('chokidar');\nio.on('connection', (socket) => {\n  const w = chokidar.watch('/data');\n  w.on('change', (p) => socket.emit('changed', p));\n});`, errors: [{ messageId: 'neverClosed', line: 3, column: 13 }] },
    { code: `${F}function save(p, data) {\n  const ws = fs.createWriteStream(p);\n  if (!data) return false;\n  ws.end(data);\n  return true;\n}`, errors: [{ messageId: 'notClosedOnExit', line: 3, column: 14 }] },
  ],
});
