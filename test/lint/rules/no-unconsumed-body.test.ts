import { runRuleTests } from '../ruleTester';

runRuleTests('no-unconsumed-body', {
  valid: [
    // node:http response resumed before the early return, or piped.
    `const https = require('https');\nfunction status(url, cb) {\n  https.get(url, (res) => {\n    if (res.statusCode !== 200) { res.resume(); return cb(new Error('bad')); }\n    res.pipe(process.stdout);\n  });\n}`,
    `const http = require('http');\nfunction ping(cb) {\n  http.get('http://127.0.0.1/health', (res) => { res.resume(); cb(res.statusCode === 200); });\n}`,
    // HEAD responses have no body.
    `async function exists(url) {\n  const res = await fetch(url, { method: 'HEAD' });\n  return res.ok;\n}`,
    // Cancelled before the early exit.
    `async function getUser(id) {\n  const res = await fetch('https://api/u/' + id);\n  if (!res.ok) {\n    await res.body?.cancel();\n    throw new Error('HTTP ' + res.status);\n  }\n  return res.json();\n}`,
    // Read before the early exit.
    `async function get(url) {\n  const res = await fetch(url);\n  if (!res.ok) throw new Error(await res.text());\n  return res.json();\n}`,
    // Returned to the caller.
    `async function download(url) {\n  const res = await fetch(url);\n  return res;\n}`,
    `function raw(url) {\n  return fetch(url);\n}`,
    // Piped.
    `const { Readable } = require('stream');\nasync function proxy(url, out) {\n  const res = await fetch(url);\n  Readable.fromWeb(res.body).pipe(out);\n}`,
    // Read in all paths.
    `async function status(url) {\n  const res = await fetch(url);\n  const text = await res.text();\n  return res.status === 200 ? text : null;\n}`,
    // Then-chain.
    `function load(url) {\n  return fetch(url).then((r) => r.json());\n}`,
    // Handed to a helper.
    `async function call(url) {\n  const res = await fetch(url);\n  return handle(res);\n}`,
    // undici request with body consumed.
    `const { request } = require('undici');\nasync function get(url) {\n  const { statusCode, body } = await request(url);\n  if (statusCode !== 200) { await body.dump(); return null; }\n  return body.json();\n}`,
    // A local function named fetch is not the global fetch.
    `function fetch(x) { return x; }\nasync function f() { const r = await fetch(1); return r + 1; }`,
    // Streamed with for await.
    `async function size(url) {\n  const res = await fetch(url);\n  let n = 0;\n  for await (const c of res.body) n += c.length;\n  return n;\n}`,
    // arrayBuffer.
    `async function bytes(url) {\n  const res = await fetch(url);\n  return Buffer.from(await res.arrayBuffer());\n}`,
    // Module-scope script.
    `const res = await fetch('https://x');\nconsole.log(res.status);`,
    // Guarded: no response.
    `async function maybe(url) {\n  const res = await fetch(url).catch(() => null);\n  if (!res) return null;\n  return res.json();\n}`,
    // Blob.
    `async function blob(url) {\n  const r = await fetch(url);\n  return r.blob();\n}`,
    // Suppressed.
    `async function ping(url) {\n  // leak-lens-disable-next-line no-unconsumed-body\n  const res = await fetch(url);\n  return res.ok;\n}`,
  ],
  invalid: [
    // A status-only caller of this file's fetch wrapper.
    { code: `async function api(path, init) {\n  return fetch('http://x' + path, init);\n}\nasync function remove(id) {\n  const res = await api('/items/' + id, { method: 'DELETE' });\n  return res.status === 204;\n}`, errors: [{ messageId: 'neverConsumed', line: 5, column: 21 }] },
    { code: `const https = require('https');\nfunction status(url, cb) {\n  https.get(url, (res) => {\n    if (res.statusCode !== 200) return cb(new Error('bad'));\n    let body = '';\n    res.on('data', (c) => (body += c));\n    res.on('end', () => cb(null, body));\n  });\n}`, errors: [{ messageId: 'httpNotConsumed', line: 3, column: 19 }] },
    { code: `const http = require('http');\nfunction ping(cb) {\n  http.get('http://127.0.0.1/health', (res) => cb(res.statusCode === 200));\n}`, errors: [{ messageId: 'httpNotConsumed', line: 3, column: 40 }] },
    { code: `async function getUser(id) {\n  const res = await fetch('https://api/u/' + id);\n  if (!res.ok) throw new Error('HTTP ' + res.status);\n  return res.json();\n}`, errors: [{ messageId: 'notConsumedOnExit', line: 2, column: 21 }] },
    { code: `async function ping(url) {\n  const res = await fetch(url, { method: 'GET' });\n  return res.status === 200;\n}`, errors: [{ messageId: 'neverConsumed', line: 2, column: 21 }] },
    { code: `async function notify(url) {\n  await fetch(url, { method: 'POST' });\n}`, errors: [{ messageId: 'discarded', line: 2, column: 9 }] },
    { code: `async function find(url) {\n  const res = await fetch(url);\n  if (res.status === 404) return null;\n  return res.json();\n}`, errors: [{ messageId: 'notConsumedOnExit', line: 2, column: 21 }] },
    { code: `async function head(url) {\n  const { status, headers } = await fetch(url);\n  return { status, type: headers.get('content-type') };\n}`, errors: [{ messageId: 'neverConsumed', line: 2, column: 37 }] },
    { code: `const { request } = require('undici');\nasync function check(url) {\n  const { statusCode } = await request(url);\n  return statusCode;\n}`, errors: [{ messageId: 'neverConsumed', line: 3, column: 32 }] },
    { code: `const { request } = require('undici');\nasync function get(url) {\n  const { statusCode, body } = await request(url);\n  if (statusCode !== 200) throw new Error('bad');\n  return body.json();\n}`, errors: [{ messageId: 'notConsumedOnExit', line: 3, column: 38 }] },
    { code: `const { fetch } = require('undici');\nasync function ok(url) {\n  const r = await fetch(url);\n  return r.ok;\n}`, errors: [{ messageId: 'neverConsumed', line: 3, column: 19 }] },
    { code: `import fetch from 'node-fetch';\nexport async function ok(url: string) {\n  const r = await fetch(url);\n  return r.ok;\n}`, filename: '/project/src/ok.ts', errors: [{ messageId: 'neverConsumed', line: 3, column: 19 }] },
    { code: `async function post(url, data) {\n  const res = await fetch(url, { method: 'POST', body: JSON.stringify(data) });\n  if (!res.ok) {\n    throw new Error('failed ' + res.status);\n  }\n  return res.json();\n}`, errors: [{ messageId: 'notConsumedOnExit', line: 2, column: 21 }] },
    { code: `const express = require('express');\nconst app = express();\napp.get('/h', async (req, res) => {\n  const upstream = await fetch('http://b/health');\n  res.sendStatus(upstream.status);\n});`, errors: [{ messageId: 'neverConsumed', line: 4, column: 26 }] },
    { code: `async function poll(url) {\n  while (true) {\n    const r = await fetch(url);\n    if (r.status === 204) continue;\n    if (r.status !== 200) return;\n    await r.text();\n  }\n}`, errors: [{ messageId: 'notConsumedOnExit', line: 3, column: 21 }] },
    { code: `async function exists(url) {\n  const res = await fetch(url, { method: 'GET' });\n  console.log(res.headers.get('etag'));\n  return res.ok;\n}`, errors: [{ messageId: 'neverConsumed', line: 2, column: 21 }] },
    { code: `async function a(url) {\n  const res = await fetch(url);\n}`, errors: [{ messageId: 'neverConsumed', line: 2, column: 21 }] },
    { code: `async function b(url) {\n  const res = await globalThis.fetch(url);\n  if (res.redirected) return res.url;\n  return res.text();\n}`, errors: [{ messageId: 'notConsumedOnExit', line: 2, column: 21 }] },
  ],
});
