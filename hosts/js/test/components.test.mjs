import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

test('transpiled code keeps a leading U+FEFF in the strings a guest passes', async () => {
  process.env.AIRSSYS_JS_CACHE = mkdtempSync(join(tmpdir(), 'airssys-js-cache-'));
  const { compile } = await import('../src/components.mjs');
  const probe = new URL('../../../guests/prebuilt/storage_probe.wasm', import.meta.url);
  const component = await compile(probe.pathname);
  const dir = join(process.env.AIRSSYS_JS_CACHE, 'transpiled-v3', component.digest);
  const js = readFileSync(join(dir, 'component.js'), 'utf8');
  assert.ok(js.includes("new TextDecoder('utf-8', { ignoreBOM: true })"), readdirSync(dir).join(', '));
  assert.ok(!js.includes('const TEXT_DECODER_UTF8 = new TextDecoder();'));
});
