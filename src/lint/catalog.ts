/**
 * The policy table: which calls create a resource (something that must be released) or an object
 * that owns background work (a timer, a socket pool, a connection). Matching is on the resolved
 * module and export name (see FileAnalysis.callee), so `import { Pool } from 'pg'` and
 * `const pg = require('pg'); new pg.Pool()` both match `pg:Pool`. Users extend it with
 * `LintConfig.resources`.
 */

export type ResourceKind =
  /** A numeric file descriptor: released by fs.close/closeSync. */
  | 'fd'
  /** fs.promises FileHandle: released by close() (or `await using`). */
  | 'fileHandle'
  | 'writeStream'
  | 'readStream'
  | 'zlib'
  /** Released only when closed; harmless once at startup, a leak when created repeatedly. */
  | 'watcher'
  | 'socket'
  | 'server'
  | 'readline'
  /** A connection checked out of a pool: released by release(). */
  | 'checkout'
  | 'connection'
  /** A thread or process we started: released by terminate()/kill(), or by its own exit. */
  | 'worker'
  /** A browser process (puppeteer/playwright): released by close(). */
  | 'browser'
  /** An http(s) client request: its agent owns it once ended; only its 'timeout' handling is checked. */
  | 'clientRequest'
  | 'custom';

export interface ResourceEntry {
  kind: ResourceKind;
  what: string;
  close: string[];
  /** Only a leak when created in a repeated scope (per request, per message, per tick). */
  repeatedOnly: boolean;
}

const streamClose = ['end', 'close', 'destroy'];

/** Keyed by `module:name` (module without the `node:` prefix). */
export const resourceCalls: Record<string, ResourceEntry> = {
  'fs:openSync': { kind: 'fd', what: 'file descriptor', close: ['closeSync', 'close'], repeatedOnly: false },
  'fs/promises:open': { kind: 'fileHandle', what: 'FileHandle', close: ['close'], repeatedOnly: false },
  'fs:promises.open': { kind: 'fileHandle', what: 'FileHandle', close: ['close'], repeatedOnly: false },
  'fs:createWriteStream': { kind: 'writeStream', what: 'write stream', close: streamClose, repeatedOnly: false },
  'fs:createReadStream': { kind: 'readStream', what: 'read stream', close: streamClose, repeatedOnly: false },
  'fs:watch': { kind: 'watcher', what: 'fs.watch watcher', close: ['close'], repeatedOnly: true },
  'fs:watchFile': { kind: 'watcher', what: 'fs.watchFile watcher', close: ['unwatchFile'], repeatedOnly: true },
  'chokidar:watch': { kind: 'watcher', what: 'chokidar watcher', close: ['close', 'unwatch'], repeatedOnly: true },
  'net:connect': { kind: 'socket', what: 'socket', close: ['end', 'destroy', 'resetAndDestroy'], repeatedOnly: true },
  'net:createConnection': { kind: 'socket', what: 'socket', close: ['end', 'destroy', 'resetAndDestroy'], repeatedOnly: true },
  'tls:connect': { kind: 'socket', what: 'TLS socket', close: ['end', 'destroy'], repeatedOnly: true },
  'net:createServer': { kind: 'server', what: 'server', close: ['close'], repeatedOnly: true },
  'http:createServer': { kind: 'server', what: 'HTTP server', close: ['close', 'closeAllConnections'], repeatedOnly: true },
  'https:createServer': { kind: 'server', what: 'HTTPS server', close: ['close', 'closeAllConnections'], repeatedOnly: true },
  'readline:createInterface': { kind: 'readline', what: 'readline interface', close: ['close'], repeatedOnly: true },
  'mysql:createConnection': { kind: 'connection', what: 'MySQL connection', close: ['end', 'destroy'], repeatedOnly: false },
  'mysql2:createConnection': { kind: 'connection', what: 'MySQL connection', close: ['end', 'destroy'], repeatedOnly: false },
  'mysql2/promise:createConnection': { kind: 'connection', what: 'MySQL connection', close: ['end', 'destroy'], repeatedOnly: false },
  'pg:Client': { kind: 'connection', what: 'pg Client', close: ['end'], repeatedOnly: false },
  'dgram:createSocket': { kind: 'socket', what: 'UDP socket', close: ['close', 'unref'], repeatedOnly: true },
  'ws:WebSocketServer': { kind: 'server', what: 'WebSocketServer', close: ['close'], repeatedOnly: true },
  'ws:Server': { kind: 'server', what: 'WebSocketServer', close: ['close'], repeatedOnly: true },
  'ws:WebSocket.Server': { kind: 'server', what: 'WebSocketServer', close: ['close'], repeatedOnly: true },
  'ws:default': { kind: 'socket', what: 'WebSocket client connection', close: ['close', 'terminate'], repeatedOnly: true },
  'ws:WebSocket': { kind: 'socket', what: 'WebSocket client connection', close: ['close', 'terminate'], repeatedOnly: true },
  'worker_threads:Worker': { kind: 'worker', what: 'worker thread', close: ['terminate', 'unref'], repeatedOnly: true },
  'child_process:fork': { kind: 'worker', what: 'forked child process (kept alive by its IPC channel)', close: ['kill', 'disconnect', 'unref'], repeatedOnly: true },
  'puppeteer:launch': { kind: 'browser', what: 'browser process', close: ['close', 'disconnect'], repeatedOnly: false },
  'puppeteer-core:launch': { kind: 'browser', what: 'browser process', close: ['close', 'disconnect'], repeatedOnly: false },
  'playwright:chromium.launch': { kind: 'browser', what: 'browser process', close: ['close'], repeatedOnly: false },
  'playwright:firefox.launch': { kind: 'browser', what: 'browser process', close: ['close'], repeatedOnly: false },
  'playwright:webkit.launch': { kind: 'browser', what: 'browser process', close: ['close'], repeatedOnly: false },
};
for (const name of ['createGzip', 'createGunzip', 'createDeflate', 'createInflate', 'createDeflateRaw', 'createInflateRaw',
  'createUnzip', 'createBrotliCompress', 'createBrotliDecompress']) {
  resourceCalls[`zlib:${name}`] = { kind: 'zlib', what: `zlib ${name.slice(6)} stream`, close: streamClose, repeatedOnly: false };
}

/** Methods that check a connection out of a pool, when called on a receiver named like a pool. */
export const checkoutMethods = new Set(['connect', 'getConnection', 'acquire']);
export const checkoutClose = ['release', 'end', 'destroy', 'close'];

export interface BackgroundEntry {
  what: string;
  /** Why one per request leaks: what the object keeps running. */
  runs: string;
  /** Only matches when this predicate on the first argument holds (e.g. keepAlive: true). */
  when?: 'keepAlive' | 'ttlAutopurge' | 'agents';
}

const cacheTimer = 'its own cleanup timer';
const pool = 'its own connection pool';
const conn = 'an open connection and its reconnect timers';

/** Keyed by `module:name`; `new` and plain calls both match. */
export const backgroundCalls: Record<string, BackgroundEntry> = {
  'node-cache:default': { what: 'NodeCache', runs: cacheTimer },
  'node-cache:NodeCache': { what: 'NodeCache', runs: cacheTimer },
  '@isaacs/ttlcache:default': { what: 'TTLCache', runs: 'its own expiry timer' },
  'lru-cache:LRUCache': { what: 'LRUCache with ttlAutopurge', runs: 'a purge timer per entry', when: 'ttlAutopurge' },
  'lru-cache:default': { what: 'LRUCache with ttlAutopurge', runs: 'a purge timer per entry', when: 'ttlAutopurge' },
  'cache-manager:caching': { what: 'cache-manager memory store', runs: cacheTimer },
  'cache-manager:createCache': { what: 'cache-manager cache', runs: cacheTimer },
  'http:Agent': { what: 'keep-alive http.Agent', runs: 'a pool of kept-alive sockets', when: 'keepAlive' },
  'https:Agent': { what: 'keep-alive https.Agent', runs: 'a pool of kept-alive sockets', when: 'keepAlive' },
  'agentkeepalive:default': { what: 'agentkeepalive Agent', runs: 'a pool of kept-alive sockets' },
  'agentkeepalive:HttpsAgent': { what: 'agentkeepalive HttpsAgent', runs: 'a pool of kept-alive sockets' },
  'undici:Agent': { what: 'undici Agent', runs: 'a pool of kept-alive sockets' },
  'undici:Pool': { what: 'undici Pool', runs: 'a pool of kept-alive sockets' },
  'undici:Client': { what: 'undici Client', runs: 'a kept-alive socket' },
  'undici:ProxyAgent': { what: 'undici ProxyAgent', runs: 'a pool of kept-alive sockets' },
  'axios:create': { what: 'axios instance with its own agents', runs: 'its own socket pools', when: 'agents' },
  'ioredis:default': { what: 'Redis client', runs: conn },
  'ioredis:Redis': { what: 'Redis client', runs: conn },
  'ioredis:Cluster': { what: 'Redis Cluster client', runs: conn },
  'redis:createClient': { what: 'Redis client', runs: conn },
  'redis:createCluster': { what: 'Redis Cluster client', runs: conn },
  'pg:Pool': { what: 'pg Pool', runs: pool },
  'pg-pool:default': { what: 'pg Pool', runs: pool },
  'mysql:createPool': { what: 'MySQL pool', runs: pool },
  'mysql2:createPool': { what: 'MySQL pool', runs: pool },
  'mysql2/promise:createPool': { what: 'MySQL pool', runs: pool },
  'mysql:createPoolCluster': { what: 'MySQL pool cluster', runs: pool },
  'mysql2:createPoolCluster': { what: 'MySQL pool cluster', runs: pool },
  'mongodb:MongoClient': { what: 'MongoClient', runs: pool },
  'mongodb:MongoClient.connect': { what: 'MongoClient', runs: pool },
  'mongoose:createConnection': { what: 'mongoose connection', runs: pool },
  'mongoose:connect': { what: 'mongoose connection', runs: pool },
  '@prisma/client:PrismaClient': { what: 'PrismaClient', runs: 'its own query engine and connection pool' },
  'knex:default': { what: 'knex instance', runs: pool },
  'knex:knex': { what: 'knex instance', runs: pool },
  'sequelize:Sequelize': { what: 'Sequelize instance', runs: pool },
  'sequelize:default': { what: 'Sequelize instance', runs: pool },
  'typeorm:DataSource': { what: 'TypeORM DataSource', runs: pool },
  'typeorm:createConnection': { what: 'TypeORM connection', runs: pool },
  'node-cron:schedule': { what: 'cron task', runs: 'its own timer' },
  'node-cron:default.schedule': { what: 'cron task', runs: 'its own timer' },
  'cron:CronJob': { what: 'CronJob', runs: 'its own timer' },
  'bull:default': { what: 'Bull queue', runs: 'Redis connections and timers' },
  'bullmq:Queue': { what: 'BullMQ Queue', runs: 'Redis connections' },
  'bullmq:Worker': { what: 'BullMQ Worker', runs: 'Redis connections and a polling loop' },
  'amqplib:connect': { what: 'AMQP connection', runs: 'a socket and heartbeat timer' },
  'kafkajs:Kafka': { what: 'Kafka client', runs: 'broker connections' },
  'winston:createLogger': { what: 'winston logger', runs: 'its transports (file streams) and process exception handlers' },
  'winston:transports.File': { what: 'winston File transport', runs: 'an open file stream' },
  'pino:destination': { what: 'pino destination', runs: 'an open file descriptor' },
  'pino:default.destination': { what: 'pino destination', runs: 'an open file descriptor' },
};

/** Methods that release an object with background work. */
export const backgroundClose = ['close', 'end', 'quit', 'disconnect', 'destroy', 'dispose', 'stop', 'shutdown',
  'terminate', 'flushAll', '$disconnect', 'release', 'unref'];

/** Last name segments of every background entry, to skip most calls before resolving them. */
export const backgroundLastNames: ReadonlySet<string> = new Set([...Object.keys(backgroundCalls).map((k) => k.slice(k.indexOf(':') + 1).split('.').pop()!), 'duplicate']);
