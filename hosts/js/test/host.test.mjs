import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';

process.env.AIRSSYS_JS_CACHE ??= mkdtempSync(join(tmpdir(), 'airssys-js-cache-'));
const { broken } = await import('../src/broken.mjs');
const { Host, MistypedAnswer } = await import('../src/host.mjs');

const probe = (name) => new URL(`../../../guests/prebuilt/${name}.wasm`, import.meta.url).pathname;
const CALL = 'application/vnd.airssys.probe-call+json';
const SUITE = { namespace: 'suite', name: 'test', instance: '0' };
const call = (object) => new TextEncoder().encode(JSON.stringify(object));
const reply = (bytes) => JSON.parse(new TextDecoder().decode(bytes));
const host = (registration) => new Host(mkdtempSync(join(tmpdir(), 'airssys-js-host-test-')), { registration });

test("an answer of another type ends the call, naming the import, on the branch that has it only", async () => {
  const h = host(broken['get-value-as-text'].registration);
  const id = { namespace: 't', name: 'storage', instance: '1' };
  await h.load(id, probe('storage_probe'), 'everything');
  // `none` is of the type: it reaches the guest.
  assert.deepEqual(reply(h.invoke(id, SUITE, call({ storage: { call: 'get', key: 'k' } }), CALL)), { Ok: { value: null } });
  h.invoke(id, SUITE, call({ storage: { call: 'set', key: 'k', value: [118] } }), CALL);
  assert.throws(
    () => h.invoke(id, SUITE, call({ storage: { call: 'get', key: 'k' } }), CALL),
    (error) => {
      assert.ok(error instanceof MistypedAnswer);
      assert.deepEqual(error.unsatisfied, { other_type: ['airssys:core/storage@1.0.0#get'] });
      assert.match(error.message, /^`get` answered a string at `ok\(some\(_\)\)`, where the import's type/);
      assert.match(error.message, /the host's fault, not the component's/);
      return true;
    },
  );
});

test('answers of the type reach the guest as they are', async () => {
  const h = host((r) => r);
  const id = { namespace: 't', name: 'messaging', instance: '1' };
  await h.load(id, probe('messaging_probe'), 'everything');
  const got = reply(h.invoke(id, SUITE, call({ 'host-messaging': { call: 'self-id' } }), CALL));
  assert.equal(JSON.stringify(got).includes('"messaging"'), true, JSON.stringify(got));
});

/** The adapter on stdio: each request's answer, in order. */
async function adapter(args, requests) {
  const child = spawn(process.execPath, [new URL('../bin/airssys-js-adapter.mjs', import.meta.url).pathname, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const answers = [];
  for (const request of requests) {
    child.stdin.write(`${JSON.stringify(request)}\n`);
    answers.push(JSON.parse((await lines.next()).value));
  }
  child.stdin.end();
  return answers;
}

test('protocol 1.2: `check` refuses only what is missing; a mistyped answer refuses the `invoke` with `other_type`', async () => {
  const id = { namespace: 't', name: 'messaging', instance: '1' };
  const [hello, check, , load, invoke] = await adapter(
    ['--broken', 'self-id-as-text'],
    [
      { op: 'hello', protocol: 1 },
      { op: 'check', component: probe('messaging_probe') },
      { op: 'reset', traps: [] },
      { op: 'load', id, component: probe('messaging_probe'), grant: 'everything' },
      {
        op: 'invoke',
        id,
        payload: Buffer.from(JSON.stringify({ 'host-messaging': { call: 'self-id' } })).toString('base64'),
        content_type: CALL,
      },
    ],
  );
  assert.ok(hello.minor >= 2, `minor ${hello.minor}`);
  assert.deepEqual(check, { answer: 'ok' });
  assert.deepEqual(load, { answer: 'ok' });
  assert.equal(invoke.answer, 'refused');
  assert.deepEqual(invoke.unsatisfied, { other_type: ['airssys:core/host-messaging@1.0.0#self-id'] });
  assert.match(invoke.reason, /^`self-id` answered a string where the import's type is `component-id` \(a record\)/);
});

test('protocol 1.4: a `check` with exact names is the check: this host looks names up exactly', async () => {
  const [hello, exact] = await adapter([], [
    { op: 'hello', protocol: 1 },
    { op: 'check', component: probe('storage_probe'), exact_names: true },
  ]);
  assert.equal(hello.minor, 4);
  assert.equal(hello.supports.exact_names, true);
  assert.deepEqual(exact, { answer: 'ok' });
  const [, missing] = await adapter(['--broken', 'missing-usage'], [
    { op: 'hello', protocol: 1 },
    { op: 'check', component: probe('storage_probe'), exact_names: true },
  ]);
  assert.equal(missing.answer, 'refused');
  assert.deepEqual(missing.unsatisfied, { missing: ['airssys:core/storage@1.0.0#usage'] });
});

test('protocol 1.3: `invoke` calls `handle-callback` with a correlation id; `metadata` and `health` call those exports', async () => {
  const id = { namespace: 't', name: 'messaging', instance: '1' };
  const [hello, , , callback, request, metadata, health] = await adapter(
    [],
    [
      { op: 'hello', protocol: 1 },
      { op: 'reset', traps: [] },
      { op: 'load', id, component: probe('messaging_probe'), grant: 'everything' },
      {
        op: 'invoke',
        id,
        payload: '',
        content_type: 'application/vnd.airssys.timeout',
        correlation_id: 'c-1',
        export: 'handle-callback',
      },
      {
        op: 'invoke',
        id,
        payload: '',
        content_type: 'application/octet-stream',
        correlation_id: 'c-2',
        reply_to: { namespace: 't', name: 'asker', instance: '1' },
        sender: { namespace: 't', name: 'asker', instance: '1' },
      },
      { op: 'metadata', id },
      { op: 'health', id },
    ],
  );
  assert.equal(hello.minor, 4);
  assert.equal(hello.supports.lifecycle, true);
  // `handle-callback`'s `ok` carries no payload.
  assert.deepEqual(callback, { answer: 'reply', payload: null });
  assert.equal(request.answer, 'reply', JSON.stringify(request));
  assert.equal(metadata.answer, 'metadata', JSON.stringify(metadata));
  assert.ok(metadata.name.length > 0 && metadata.version.length > 0, JSON.stringify(metadata));
  assert.ok(Array.isArray(metadata.supported_operations));
  assert.equal(health.answer, 'health');
  assert.ok(['healthy', 'degraded', 'unhealthy', 'unknown'].includes(health.status), health.status);
});

test('protocol 1.3: an export that returns `err` is refused with `err`, and the component is not retired as after a trap', async () => {
  const id = { namespace: 't', name: 'storage', instance: '1' };
  const garbage = { op: 'invoke', id, payload: Buffer.from('garbage').toString('base64'), content_type: CALL };
  const [, , first, second] = await adapter(
    [],
    [{ op: 'reset', traps: [] }, { op: 'load', id, component: probe('storage_probe'), grant: 'everything' }, garbage, garbage],
  );
  for (const answer of [first, second]) {
    assert.equal(answer.answer, 'refused', JSON.stringify(answer));
    assert.match(answer.err, /^runtime-error\("payload: not a probe call/);
    assert.equal(answer.reason, `handle-message returned err(${answer.err})`);
  }
});

test('`check` still refuses a function the host does not provide, in `missing`', async () => {
  const [check] = await adapter(['--broken', 'missing-usage'], [{ op: 'check', component: probe('storage_probe') }]);
  assert.equal(check.answer, 'refused');
  assert.deepEqual(check.unsatisfied, { missing: ['airssys:core/storage@1.0.0#usage'] });
});
