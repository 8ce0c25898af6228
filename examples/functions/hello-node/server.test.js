'use strict';
// Unit tests of the pure parts (node --test); the HTTP contract is tested from tests/test_functions.py.

const assert = require('node:assert/strict');
const { test } = require('node:test');
const { greet, delayMs, logLine } = require('./server.js');

test('greet defaults to world', () => {
  assert.equal(greet(undefined).message, 'Hello, world!');
  assert.equal(greet(null).message, 'Hello, world!');
  assert.equal(greet('   ').message, 'Hello, world!');
});

test('greet names and bounds input by code points', () => {
  process.env.K_REVISION = 'r1';
  assert.deepEqual(greet('Ada'), { message: 'Hello, Ada!', revision: 'r1' });
  assert.equal(greet('x'.repeat(1000)).message, `Hello, ${'x'.repeat(64)}!`);
  // 100 astral characters: the cap keeps 64 whole ones, never half a surrogate pair.
  assert.equal(greet('😀'.repeat(100)).message, `Hello, ${'😀'.repeat(64)}!`);
});

test('delay is clamped', () => {
  assert.deepEqual(
    [null, '', 'abc', '-5', '250', '999999'].map(delayMs),
    [0, 0, 0, 0, 250, 2000],
  );
});

test('log line has exactly the contract fields', () => {
  process.env.K_REVISION = 'r1';
  const entry = JSON.parse(logLine('GET', '/', 200, 1.23456));
  assert.deepEqual(Object.keys(entry).sort(), [
    'duration_ms', 'method', 'path', 'revision', 'status', 'time',
  ]);
  assert.equal(entry.duration_ms, 1.235);
  assert.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});
