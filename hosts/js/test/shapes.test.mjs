import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { print } from '@bytecodealliance/jco-transpile/wasm-tools';

import { readImports } from '../src/components.mjs';
import { answerMismatch, parse, witText } from '../src/shapes.mjs';

const probe = (name) => readFileSync(new URL(`../../../guests/prebuilt/${name}.wasm`, import.meta.url));
const imported = async (name, instance) =>
  readImports(await print(probe(name))).find((i) => i.instance === `airssys:core/${instance}@1.0.0`);

test('a real component: its imports, with their types read through the aliases of the outer component', async () => {
  const messaging = await imported('messaging_probe', 'host-messaging');
  assert.deepEqual(messaging.functions, ['send', 'request', 'cancel-request', 'broadcast', 'self-id']);
  assert.deepEqual(Object.keys(messaging.types), messaging.functions);
  // `request(target, payload, timeout-ms: u64) -> result<correlation-id, messaging-error>`
  const request = messaging.types.request;
  assert.deepEqual(request.params.map(witText), ['component-id', 'message-payload', 'u64']);
  assert.equal(witText(request.result), 'result<correlation-id, messaging-error>');
  // `component-id` is aliased twice (host-messaging ← the component ← types): read all the way.
  const selfId = messaging.types['self-id'].result;
  assert.deepEqual(selfId, ['named', 'component-id', ['record', ['namespace', 'string'], ['name', 'string'], ['instance', 'string']]]);
  const services = await imported('services_probe', 'host-services');
  assert.equal(services.types.log.result, null);
  assert.equal(witText(services.types['list-components'].result), 'list<component-id>');
});

test('an answer of another type, in WIT words, at the place it is wrong', async () => {
  const selfId = (await imported('messaging_probe', 'host-messaging')).types['self-id'].result;
  assert.equal(answerMismatch('self-id', { namespace: 'a', name: 'b', instance: '1' }, selfId), null);
  assert.equal(
    answerMismatch('self-id', 'a/b/1', selfId),
    "`self-id` answered a string where the import's type is `component-id` (a record)",
  );
  assert.equal(
    answerMismatch('self-id', { namespace: 'a', name: 'b' }, selfId),
    "`self-id` answered nothing at `{instance: _, …}`, where the import's type `component-id` has `string`",
  );

  const storage = (await imported('storage_probe', 'storage')).types;
  const get = storage.get.result;
  const fits = (value) => assert.equal(answerMismatch('get', value, get), null, JSON.stringify(value));
  fits({ tag: 'ok', val: undefined });
  fits({ tag: 'ok', val: new Uint8Array([118]) });
  fits({ tag: 'err', val: { tag: 'invalid-key', val: 'too long' } });
  // What jco converts itself: a bare value for `ok`, `null` for `none`.
  fits(new Uint8Array());
  fits({ tag: 'ok', val: null });
  assert.equal(
    answerMismatch('get', { tag: 'ok', val: 'v' }, get),
    "`get` answered a string at `ok(some(_))`, where the import's type " +
      '`result<option<storage-value>, storage-error>` has `storage-value` (a `list<u8>`)',
  );
  assert.equal(
    answerMismatch('get', { tag: 'err', val: { tag: 'lost' } }, get),
    "`get` answered the case `lost` at `err(_)`, where the import's type " +
      '`result<option<storage-value>, storage-error>` has `storage-error` (a variant)',
  );
  assert.match(answerMismatch('set', { tag: 'ok', val: 1 }, storage.set.result), /at `ok\(_\)`, where .* has no value/);
  assert.match(
    answerMismatch('usage', { tag: 'ok', val: { usedBytes: 'x', quotaBytes: 1n, keyCount: 0 } }, storage.usage.result),
    /answered a string at `ok\(\{used-bytes: _, …\}\)`, .* has `u64`/,
  );
  assert.match(answerMismatch('list-keys', { tag: 'ok', val: ['a', 2] }, storage['list-keys'].result), /the integer 2 at `ok\(\[…item 1: _, …\]\)`/);
});

test('a quoted identifier is one token', () => {
  assert.deepEqual(parse('(alias outer 1 $"#type6 component-id" (type (;4;)))'), [
    ['alias', 'outer', '1', '$"#type6 component-id"', ['type']],
  ]);
});
