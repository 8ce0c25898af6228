'use strict';
// hello-node: the reference function in Node.js (20+), built-in modules only.
//
// Knative sends HTTP to the port in $PORT (8080) and scales on in-flight requests; the function
// keeps no state between requests, so any pod can serve any request and scale to zero costs
// nothing. The contract it follows (routes, log line, shutdown) is in ../README.md.

const http = require('node:http');

const NAME_MAX = 64;
// Simulated work (`/?delay_ms=`): shows concurrency-based autoscaling and lets the tests hold a
// request in flight across SIGTERM. Capped well below DRAIN_MS so it can never outlive a drain.
const DELAY_MAX_MS = 2000;
// How long SIGTERM waits for in-flight requests. Knative only signals the container after its
// queue-proxy has drained, and the pod's grace period is 30 s by default: a few seconds is plenty.
const DRAIN_MS = 5000;

function revision() {
  return process.env.K_REVISION || 'local';
}

/** The function itself: pure, so it can be tested without a server. */
function greet(name) {
  // Array.from counts code points, so the cap never splits a surrogate pair.
  const who = Array.from((name || '').trim()).slice(0, NAME_MAX).join('') || 'world';
  return { message: `Hello, ${who}!`, revision: revision() };
}

/** The requested simulated work, clamped to [0, DELAY_MAX_MS]; anything unparsable is 0. */
function delayMs(raw) {
  const n = Number.parseInt(raw || '0', 10);
  return Number.isNaN(n) ? 0 : Math.min(Math.max(n, 0), DELAY_MAX_MS);
}

/** One request as one JSON line. Only the path: query strings may carry personal data. */
function logLine(method, path, status, durationMs) {
  return JSON.stringify({
    time: new Date().toISOString(),
    method,
    path,
    status,
    duration_ms: Math.round(durationMs * 1000) / 1000,
    revision: revision(),
  });
}

let draining = false;

function send(res, status, body, { delay = 0, allow = '' } = {}) {
  const data = Buffer.from(JSON.stringify(body));
  const headers = { 'Content-Type': 'application/json', 'Content-Length': data.length };
  if (allow) headers.Allow = allow;
  // While draining, close each connection after its response so keep-alive clients (such as
  // Knative's queue-proxy) cannot hold the server open.
  if (draining) headers.Connection = 'close';
  res.writeHead(status, headers);
  if (!delay) {
    res.end(data);
    return;
  }
  // Headers first: the caller sees the request is being served while the work runs.
  res.flushHeaders();
  setTimeout(() => res.end(data), delay);
}

function route(req, res, path, query) {
  if (req.method !== 'GET') {
    send(res, 405, { error: 'method not allowed' }, { allow: 'GET' });
  } else if (path === '/healthz') {
    send(res, 200, { status: 'ok' });
  } else if (path === '/') {
    send(res, 200, greet(query.get('name')), { delay: delayMs(query.get('delay_ms')) });
  } else {
    send(res, 404, { error: 'not found' });
  }
}

function handle(req, res) {
  const started = process.hrtime.bigint();
  // Split by hand: new URL() throws on request targets such as "//", and the path is all we log.
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const search = q < 0 ? '' : req.url.slice(q + 1);
  const sock = req.socket;
  res.on('close', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(`${logLine(req.method, path.slice(0, 256), res.statusCode, ms)}\n`);
    // Headers went out before the drain began (a delayed request), so the client was not told
    // to close: drop the connection once the response is out, or server.close() waits for it.
    if (draining && res.writableFinished) sock.destroy();
  });
  try {
    route(req, res, path, new URLSearchParams(search));
  } catch (err) {
    // Still one answer and one log line; the stack goes to stderr, the process keeps serving.
    process.stderr.write(`${err.stack}\n`);
    if (!res.headersSent) send(res, 500, { error: 'internal server error' });
    else res.destroy();
  }
}

function main() {
  const server = http.createServer(handle);
  const shutdown = () => {
    if (draining) return;
    draining = true;
    // close() stops accepting, drops idle keep-alive connections (Node >= 19) and calls back
    // once the in-flight ones have ended.
    // https://nodejs.org/docs/latest-v20.x/api/http.html#serverclosecallback
    server.close(() => process.exit(0));
    setTimeout(() => {
      process.stderr.write(`hello-node: requests still in flight after ${DRAIN_MS}ms\n`);
      process.exit(1);
    }, DRAIN_MS).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  server.listen(Number(process.env.PORT || 8080));
}

if (require.main === module) {
  main();
}

module.exports = { greet, delayMs, logLine };
