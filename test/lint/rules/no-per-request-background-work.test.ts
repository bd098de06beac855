import { runRuleTests } from '../ruleTester';

const E = "const express = require('express');\nconst app = express();\n";

runRuleTests('no-per-request-background-work', {
  valid: [
    // Duplicate connection closed on disconnect.
    `const Redis = require('ioredis');\nconst redis = new Redis();\nconst io = require('socket.io')(3000);\nio.on('connection', async (socket) => {\n  const sub = redis.duplicate();\n  await sub.subscribe('news');\n  socket.on('disconnect', () => sub.quit());\n});`,
    // Module scope: one shared instance.
    `const NodeCache = require('node-cache');\n${E}const cache = new NodeCache();\napp.get('/a', (req, res) => res.json(cache.get(req.query.k)));`,
    `const http = require('http');\nconst agent = new http.Agent({ keepAlive: true });\nmodule.exports = (req, res) => res.end(String(agent.maxSockets));`,
    // Lazily created singleton, guarded.
    `const { Pool } = require('pg');\nlet pool;\nfunction getPool() {\n  if (!pool) pool = new Pool();\n  return pool;\n}\n${E}app.get('/u', async (req, res) => res.json(await getPool().query('select 1')));`,
    `const Redis = require('ioredis');\nlet client;\n${E}app.get('/r', async (req, res) => {\n  client ??= new Redis();\n  res.json(await client.get(req.query.k));\n});`,
    // Closed when done.
    `const { Client } = require('undici');\n${E}app.get('/p', async (req, res) => {\n  const c = new Client('http://127.0.0.1:9000');\n  try {\n    res.json(await c.request({ path: '/', method: 'GET' }));\n  } finally {\n    await c.close();\n  }\n});`,
    `const { PrismaClient } = require('@prisma/client');\nqueue.on('message', async (m) => {\n  const prisma = new PrismaClient();\n  await prisma.user.create({ data: m });\n  await prisma.$disconnect();\n});`,
    // Agents without keepAlive own no sockets after the request.
    `const http = require('http');\n${E}app.get('/x', (req, res) => {\n  http.get({ host: 'b', agent: new http.Agent() }, (r) => r.pipe(res));\n});`,
    // NodeCache with checkperiod 0 starts no timer.
    `const NodeCache = require('node-cache');\n${E}app.get('/c', (req, res) => {\n  const c = new NodeCache({ checkperiod: 0 });\n  res.json(c.keys());\n});`,
    // lru-cache without ttlAutopurge starts no timer.
    `const { LRUCache } = require('lru-cache');\n${E}app.get('/l', (req, res) => {\n  const c = new LRUCache({ max: 10 });\n  res.json(c.size);\n});`,
    // Startup code (not a repeated scope).
    `const { MongoClient } = require('mongodb');\nasync function main() {\n  const client = new MongoClient(process.env.URL);\n  await client.connect();\n  return client;\n}`,
    // Per-tenant pools cached in a map.
    `const { Pool } = require('pg');\nconst pools = new Map();\n${E}app.get('/t', (req, res) => {\n  if (!pools.has(req.query.t)) pools.set(req.query.t, new Pool({ database: req.query.t }));\n  res.end();\n});`,
    // A workspace class whose constructor starts nothing.
    { code: `const { Logic } = require('./logic');\n${E}app.get('/l', (req, res) => res.json(new Logic(req.query).run()));`, files: { '/project/src/logic.js': `class Logic { constructor(q) { this.q = q; } run() { return 1; } }\nmodule.exports = { Logic };` } },
    // A workspace class with an interval, stopped in finally.
    { code: `const { Logic } = require('./logic');\n${E}app.get('/l', (req, res) => {\n  const l = new Logic();\n  try { res.json(l.run()); } finally { l.close(); }\n});`, files: { '/project/src/logic.js': `class Logic { constructor() { this.t = setInterval(() => {}, 1000); } run() { return 1; } close() { clearInterval(this.t); } }\nmodule.exports = { Logic };` } },
    // A class whose interval is unref'd on purpose... still created once at module scope.
    `class Sweeper { constructor() { this.t = setInterval(() => {}, 1000); } }\nconst sweeper = new Sweeper();\nmodule.exports = (req, res) => res.end(String(!!sweeper));`,
    // axios.create without own agents is just a config object.
    `const axios = require('axios');\n${E}app.get('/a', async (req, res) => {\n  const api = axios.create({ baseURL: 'http://b' });\n  res.json((await api.get('/x')).data);\n});`,
    // Stored on this in a constructor of a service created once.
    `const Redis = require('ioredis');\nclass Store {\n  constructor() { this.redis = new Redis(); }\n  close() { return this.redis.quit(); }\n}\nmodule.exports = new Store();`,
  ],
  invalid: [
    // Handed to a logger that lives for the process, once per request.
    { code: `const winston = require('winston');\nconst logger = winston.createLogger({});\n${E}app.post('/d/:id', (req, res) => {\n  logger.add(new winston.transports.File({ filename: req.params.id }));\n  res.end();\n});`, errors: [{ messageId: 'storedPerScope', line: 6, column: 14 }] },
    { code: `const Redis = require('ioredis');\nconst redis = new Redis();\nconst io = require('socket.io')(3000);\nio.on('connection', async (socket) => {\n  const sub = redis.duplicate();\n  await sub.subscribe('news');\n  sub.on('message', (c, m) => socket.emit('news', m));\n});`, errors: [{ messageId: 'perScope', line: 5, column: 15 }] },
    { code: `const { MongoClient } = require('mongodb');\nexports.handler = async (event) => {\n  const client = new MongoClient(process.env.MONGO_URL);\n  return client.db('x').collection('y').findOne({ id: event.id });\n};`, errors: [{ messageId: 'perScope', line: 3, column: 18 }] },
    { code: `import { Worker } from 'bullmq';\nimport Redis from 'ioredis';\nnew Worker('emails', async (job) => {\n  const redis = new Redis();\n  await redis.incr(job.data.user);\n});`, filename: '/project/src/worker.ts', errors: [{ messageId: 'perScope', line: 4, column: 17 }] },
    { code: `const NodeCache = require('node-cache');\n${E}app.get('/orders', (req, res) => {\n  const cache = new NodeCache({ stdTTL: 60 });\n  cache.set(req.query.id, 1);\n  res.send('ok');\n});`, errors: [{ messageId: 'perScope', line: 5, column: 17 }],
      output: `const NodeCache = require('node-cache');\n${E.replace("const app = express();\n", "const cache = new NodeCache({ stdTTL: 60 });\nconst app = express();\n")}app.get('/orders', (req, res) => {\n  cache.set(req.query.id, 1);\n  res.send('ok');\n});` },
    { code: `const http = require('http');\nconst axios = require('axios');\nexports.handler = async (req, res) => {\n  const r = await axios.get('http://b/x', { httpAgent: new http.Agent({ keepAlive: true }) });\n  res.json(r.data);\n};`, errors: [{ messageId: 'inline', line: 4, column: 56 }] },
    { code: `const https = require('https');\n${E}app.get('/s', (req, res) => {\n  const agent = new https.Agent({ keepAlive: true });\n  https.get({ host: 'b', agent }, (r) => r.pipe(res));\n});`, errors: [{ messageId: 'perScope', line: 5, column: 17 }] },
    { code: `const { Agent } = require('undici');\n${E}app.get('/u', async (req, res) => {\n  const dispatcher = new Agent({ connections: 10 });\n  res.json(await (await fetch('http://b', { dispatcher })).json());\n});`, errors: [{ messageId: 'perScope', line: 5, column: 22 }] },
    { code: `const Redis = require('ioredis');\n${E}app.get('/r', async (req, res) => {\n  const redis = new Redis();\n  res.json(await redis.get(req.query.k));\n});`, errors: [{ messageId: 'perScope', line: 5, column: 17 }] },
    { code: `const { createClient } = require('redis');\nqueue.on('message', async (m) => {\n  const client = createClient();\n  await client.connect();\n  await client.set(m.key, m.value);\n});`, errors: [{ messageId: 'perScope', line: 3, column: 18 }] },
    { code: `const { Pool } = require('pg');\n${E}app.post('/q', async (req, res) => {\n  const pool = new Pool();\n  res.json((await pool.query('select 1')).rows);\n});`, errors: [{ messageId: 'perScope', line: 5, column: 16 }] },
    { code: `const mysql = require('mysql2/promise');\n${E}app.get('/m', async (req, res) => {\n  const pool = mysql.createPool({ host: 'db' });\n  const [rows] = await pool.query('select 1');\n  res.json(rows);\n});`, errors: [{ messageId: 'perScope', line: 5, column: 16 }] },
    { code: `const { MongoClient } = require('mongodb');\nconsumer.run({\n  eachMessage: async ({ message }) => {\n    const client = new MongoClient('mongodb://db');\n    await client.db('x').collection('y').insertOne({ v: String(message.value) });\n  },\n});`, errors: [{ messageId: 'perScope', line: 4, column: 20 }] },
    { code: `import { PrismaClient } from '@prisma/client';\nexport async function GET(request: Request) {\n  const prisma = new PrismaClient();\n  return Response.json(await prisma.user.findMany());\n}`, filename: '/project/app/users/route.ts', errors: [{ messageId: 'perScope', line: 3, column: 18 }] },
    { code: `const knex = require('knex');\n${E}app.get('/k', async (req, res) => {\n  const db = knex({ client: 'pg' });\n  res.json(await db('users'));\n});`, errors: [{ messageId: 'perScope', line: 5, column: 14 }] },
    { code: `const { LRUCache } = require('lru-cache');\n${E}app.get('/l', (req, res) => {\n  const c = new LRUCache({ max: 10, ttl: 1000, ttlAutopurge: true });\n  res.json(c.size);\n});`, errors: [{ messageId: 'perScope', line: 5, column: 13 }] },
    { code: `const { OrderLogic } = require('./logic');\n${E}app.post('/checkout', (req, res) => {\n  const logic = new OrderLogic(req.body);\n  res.json(logic.total());\n});`, files: { '/project/src/logic.js': `const NodeCache = require('node-cache');\nclass OrderLogic {\n  constructor(body) { this.body = body; this.cache = new NodeCache({ stdTTL: 30 }); }\n  total() { return 1; }\n}\nmodule.exports = { OrderLogic };` }, errors: [{ messageId: 'classPerScope', line: 5, column: 17 }] },
    { code: `import { Poller } from './poller';\nexport class OrdersController {\n  @Get('orders')\n  list() {\n    const p = new Poller();\n    return p.latest();\n  }\n}`, filename: '/project/src/orders.controller.ts', files: { '/project/src/poller.ts': `export class Poller {\n  private t = setInterval(() => this.poll(), 1000);\n  poll() {}\n  latest() { return 1; }\n}` }, errors: [{ messageId: 'classPerScope', line: 5, column: 15 }] },
    { code: `class Session {\n  constructor() { this.timer = setInterval(() => this.ping(), 5000); }\n  ping() {}\n}\nconst wss = new (require('ws').Server)({ port: 1 });\nwss.on('connection', (ws) => {\n  const s = new Session();\n  ws.on('message', () => s.ping());\n});`, errors: [{ messageId: 'classPerScope', line: 7, column: 13 }] },
    { code: `const Redis = require('ioredis');\nfunction makeClient() {\n  return new Redis();\n}\n${E}app.get('/f', async (req, res) => {\n  const c = makeClient();\n  res.json(await c.get('k'));\n});`, errors: [{ messageId: 'perScope', line: 8, column: 13 }] },
    { code: `const Redis = require('ioredis');\nlet client;\n${E}app.get('/o', async (req, res) => {\n  client = new Redis();\n  res.json(await client.get('k'));\n});`, errors: [{ messageId: 'replaced', line: 6, column: 12 }] },
    { code: `const cron = require('node-cron');\n${E}app.post('/schedule', (req, res) => {\n  cron.schedule('* * * * *', () => console.log(req.body.name));\n  res.end();\n});`, errors: [{ messageId: 'perScope', line: 5, column: 3 }] },
  ],
});
