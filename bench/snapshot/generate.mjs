// Builds a realistic object graph (classes, closures, maps, arrays, strings, long chains) scaled by
// `units`, then writes a heap snapshot of itself. Run by run.mjs once per size; output is reused.
// Usage: node bench/snapshot/generate.mjs <units> <output.heapsnapshot>
import v8 from 'node:v8';

const units = Number(process.argv[2]);
const output = process.argv[3];

class Session {
  constructor(id, user) {
    this.id = id;
    this.user = user;
    this.createdAt = Date.now() - id;
    this.tags = ['a' + (id % 97), 'b' + (id % 13)];
    this.onClose = () => this.id;
  }
}
class User {
  constructor(id) {
    this.id = id;
    this.name = `user-${id}`;
    this.email = `user${id}@example.test`;
    this.prefs = { theme: id % 2 ? 'dark' : 'light', lang: 'en', flags: [id & 1, id & 2, id & 4] };
  }
}
class CacheEntry {
  constructor(key, value, next) {
    this.key = key;
    this.value = value;
    this.next = next; // long linked chains stress the dominator algorithm
  }
}
class RequestLog {
  constructor(i) {
    this.url = '/api/items/' + i;
    this.headers = new Map([['content-type', 'application/json'], ['x-id', String(i)]]);
    this.body = Buffer.alloc(16 + (i % 64));
  }
}

const users = [];
const sessions = new Map();
const byName = {};
const logs = [];
let chain = null;
const listeners = [];

for (let u = 0; u < units; u++) {
  for (let i = 0; i < 100; i++) {
    const id = u * 100 + i;
    const user = new User(id);
    users.push(user);
    const s = new Session(id, user);
    sessions.set(id, s);
    if (i % 10 === 0) byName[user.name] = s;
    if (i % 4 === 0) logs.push(new RequestLog(id));
    chain = new CacheEntry('k' + id, { n: id, s: 'v' + id }, chain);
    if (i % 20 === 0) listeners.push(function onEvent() { return user.id + id; });
  }
}

globalThis.__benchRoots = { users, sessions, byName, logs, chain, listeners };
const file = v8.writeHeapSnapshot(output);
console.log(JSON.stringify({ file, units, heapUsed: process.memoryUsage().heapUsed }));
