'use strict';
// A steady JSON server for the overhead benchmark: a little routing, parsing and allocation per request.
const http = require('node:http');

const users = Array.from({ length: 100 }, (_, i) => ({ id: i, name: `user${i}`, roles: ['a', 'b'] }));
const server = http.createServer((req, res) => {
  const id = Number(new URL(req.url, 'http://x').searchParams.get('id') ?? 1) % users.length;
  const body = JSON.stringify({ user: users[id], at: Date.now(), items: users.slice(id, id + 5) });
  res.setHeader('content-type', 'application/json');
  res.end(body);
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
