import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { print } from '@bytecodealliance/jco-transpile/wasm-tools';

import { readImports } from '../src/components.mjs';
import { mismatch, sample, signatures } from '../src/shapes.mjs';

const probe = (name) => readFileSync(new URL(`../../../guests/prebuilt/${name}.wasm`, import.meta.url));

test('a real component: its imports, and its types past the aliases of the outer component', async () => {
  const imports = readImports(await print(probe('messaging_probe')));
  const messaging = imports.find((i) => i.instance === 'airssys:core/host-messaging@1.0.0');
  assert.deepEqual(messaging.functions, ['send', 'request', 'cancel-request', 'broadcast', 'self-id']);
  const found = signatures(messaging.type);
  assert.deepEqual([...found.keys()], messaging.functions);
  // `request(target, payload, timeout-ms: u64) -> result<correlation-id, …>`
  const request = found.get('request');
  assert.equal(request.params.length, 3);
  assert.equal(request.params[2], 'u64');
  assert.equal(sample(request.params[2], request.resolve), 0n);
  // An aliased type's shape is not read, so it is accepted, never refused;
  // a result is still a result.
  assert.equal(mismatch({ tag: 'ok', val: 'anything' }, request.result, request.resolve), null);
  const selfId = found.get('self-id');
  assert.equal(mismatch('not a record, but aliased', selfId.result, selfId.resolve), null);
});

test('a probe that defines its types: each shape is checked', () => {
  const instance = [
    'instance',
    ['type', ['record', ['field', '"used-bytes"', 'u64'], ['field', '"key-count"', 'u64']]],
    ['export', '"storage-usage"', ['type', ['eq', '0']]],
    ['type', ['variant', ['case', '"quota-exceeded"'], ['case', '"io-error"', 'string']]],
    ['export', '"storage-error"', ['type', ['eq', '2']]],
    ['type', ['result', '1', ['error', '3']]],
    ['type', ['func', ['result', '4']]],
    ['export', '"usage"', ['func', ['type', '5']]],
  ];
  const usage = signatures(instance).get('usage');
  const check = (value) => mismatch(value, usage.result, usage.resolve);
  assert.equal(check({ tag: 'ok', val: { usedBytes: 1n, keyCount: 0 } }), null);
  assert.equal(check({ tag: 'err', val: { tag: 'io-error', val: 'no' } }), null);
  assert.match(check({ tag: 'ok', val: { usedBytes: 'x', keyCount: 0n } }), /usedBytes is the string "x", not a u64/);
  assert.match(check({ tag: 'err', val: { tag: 'lost' } }), /not one of the cases quota-exceeded, io-error/);
  assert.match(check('1/2/3'), /the result's ok is the string "1\/2\/3", not a record/);
});
