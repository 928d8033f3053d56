import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { DEFAULTS } from '../src/host.mjs';
import { Storage } from '../src/storage.mjs';

const anyone = { read: () => null, write: () => null, delete: () => null };
const bytes = (text) => new TextEncoder().encode(text);

test('what returned ok survives a restart; a torn last line does not count', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airssys-js-storage-'));
  const first = new Storage(dir, DEFAULTS).functions('a/b/1', anyone);
  assert.deepEqual(first.set('kept', bytes('v')), { tag: 'ok', val: undefined });
  assert.deepEqual(first.set('gone', bytes('w')), { tag: 'ok', val: undefined });
  assert.deepEqual(first.delete('gone'), { tag: 'ok', val: undefined });
  // A crash in the middle of the next write.
  appendFileSync(join(dir, 'storage.jsonl'), '{"op":"set","ns":"a/b/1","key":"torn","val');
  const again = new Storage(dir, DEFAULTS).functions('a/b/1', anyone);
  assert.deepEqual(again.get('kept').val, bytes('v'));
  assert.equal(again.get('gone').val, undefined);
  assert.equal(again.get('torn').val, undefined);
  // The next write after the torn line is read back too.
  again.set('next', bytes('x'));
  assert.deepEqual(new Storage(dir, DEFAULTS).functions('a/b/1', anyone).get('next').val, bytes('x'));
});

test('a guest writing in a loop does not make the journal grow without end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airssys-js-storage-'));
  const storage = new Storage(dir, DEFAULTS).functions('a/b/1', anyone);
  const value = new Uint8Array(64 * 1024);
  for (let i = 0; i < 200; i += 1) storage.set('k', value);
  // 200 writes of 64 KiB: 17 MiB of journal lines if none were dropped.
  assert.ok(statSync(join(dir, 'storage.jsonl')).size < 2 * 1024 * 1024);
  assert.equal(readFileSync(join(dir, 'storage.jsonl'), 'utf8').trim().split('\n').length >= 1, true);
  assert.deepEqual(new Storage(dir, DEFAULTS).functions('a/b/1', anyone).get('k').val.length, value.length);
});

test('list-keys orders by UTF-8 bytes; the key limit counts bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airssys-js-storage-'));
  const storage = new Storage(dir, DEFAULTS).functions('a/b/1', anyone);
  for (const key of ['😀', 'ｚ', 'a']) storage.set(key, bytes(''));
  assert.deepEqual(storage['list-keys'](undefined).val, ['a', 'ｚ', '😀']);
  const over = `${'é'.repeat(512)}k`;
  assert.equal(storage.set(over, bytes('')).val.tag, 'invalid-key');
});
