// Components as this host runs them: transpiled by jco into JavaScript and
// core modules once per content digest, and read for what they import.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { transpileBytes } from '@bytecodealliance/jco-transpile';
import { print } from '@bytecodealliance/jco-transpile/wasm-tools';

import { ComponentTypes, parse } from './shapes.mjs';

// `v2`: transpiled with `keepBom` (below); `v3`: `imports.json` with each
// function's type (`readImports`). Older entries are not reused.
const CACHE = join(process.env.AIRSSYS_JS_CACHE ?? join(tmpdir(), 'airssys-js-host'), 'transpiled-v3');

/**
 * jco decodes every string a guest passes with `new TextDecoder()`, which
 * drops a leading U+FEFF: a key `"\u{feff}k"` reached the host as `"k"`
 * (found by STO-1's generated keys). Decoding keeps it, as the canonical ABI
 * says, once the decoder is told to.
 */
function keepBom(js) {
  const decoder = 'const TEXT_DECODER_UTF8 = new TextDecoder();';
  if (!js.includes(decoder)) return js;
  return js.replaceAll(decoder, "const TEXT_DECODER_UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });");
}

/** digest → {imports, instantiate} */
const compiled = new Map();
/** digest → imports */
const read = new Map();
/** path → {size, mtimeMs, digest}: the suite loads the same probe files hundreds of times a run */
const digests = new Map();

/** The SHA-256 of the file at `path`, read and hashed again only when it changed. */
function digestOf(path) {
  const { size, mtimeMs } = statSync(path);
  const known = digests.get(path);
  if (known && known.size === size && known.mtimeMs === mtimeMs) return known.digest;
  const digest = createHash('sha256').update(readFileSync(path)).digest('hex');
  digests.set(path, { size, mtimeMs, digest });
  return digest;
}

/** What the component in `path` imports (see `readImports`), without transpiling it. */
export async function importsOf(path) {
  const digest = digestOf(path);
  if (!read.has(digest)) read.set(digest, readImports(await print(readFileSync(path))));
  return read.get(digest);
}

/**
 * What a component imports, from its text form: each imported instance by
 * its full name, with the functions its type exports and the type each is
 * imported with (`types`: `{name: {params, result}}`, closed, see
 * `shapes.mjs`), and functions imported at the root. jco's own import list
 * drops versions (`airssys:core/storage`), so it cannot tell `@1.0.0` from
 * `@1.0.1`.
 */
export function readImports(wat) {
  const types = new ComponentTypes();
  const imports = [];
  for (const form of topLevelForms(wat, ['(type', '(import', '(alias'])) {
    // wasm-tools prints each item's index: `(type $t (;3;) …)`.
    const index = /\(;(\d+);\)/.exec(form)?.[1];
    const [parsed] = parse(form);
    if (index !== undefined) types.add(parsed, index);
    if (parsed[0] !== 'import') continue;
    const name = JSON.parse(parsed[1]);
    const item = parsed.find(Array.isArray);
    if (item?.[0] === 'instance') {
      imports.push({ instance: name, ...types.imported(index) });
    } else if (item?.[0] === 'func') {
      imports.push({ instance: null, functions: [name] });
    }
  }
  return imports;
}

/** The text of each form at the component's top level that starts with one of `heads`. */
function topLevelForms(wat, heads) {
  const forms = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < wat.length; i += 1) {
    const c = wat[i];
    if (c === '"') {
      for (i += 1; i < wat.length && wat[i] !== '"'; i += 1) if (wat[i] === '\\') i += 1;
    } else if (c === '(' && wat[i + 1] === ';') {
      i = wat.indexOf(';)', i + 2) + 1;
    } else if (c === ';' && wat[i + 1] === ';') {
      i = wat.indexOf('\n', i);
      if (i < 0) break;
    } else if (c === '(') {
      depth += 1;
      if (depth === 2) start = heads.some((head) => wat.startsWith(head, i)) ? i : -1;
    } else if (c === ')') {
      if (depth === 2 && start >= 0) forms.push(wat.slice(start, i + 1));
      depth -= 1;
    }
  }
  return forms;
}

/** The component in `path`, transpiled (from the cache when it was before). */
export async function compile(path) {
  const digest = digestOf(path);
  const known = compiled.get(digest);
  if (known) return known;
  const dir = join(CACHE, digest);
  if (!existsSync(join(dir, 'imports.json'))) await transpileInto(readFileSync(path), dir);
  const imports = JSON.parse(readFileSync(join(dir, 'imports.json'), 'utf8'));
  // Compiled once per component, for every instance of it.
  const modules = new Map();
  const getCoreModule = (file) => {
    if (!modules.has(file)) modules.set(file, new WebAssembly.Module(readFileSync(join(dir, file))));
    return modules.get(file);
  };
  const component = {
    digest,
    imports,
    async instantiate(importObject) {
      const { instantiate } = await import(pathToFileURL(join(dir, 'component.js')).href);
      return instantiate(getCoreModule, importObject);
    },
  };
  compiled.set(digest, component);
  return component;
}

async function transpileInto(bytes, dir) {
  const imports = readImports(await print(bytes));
  const out = await transpileBytes(bytes, {
    name: 'component',
    instantiation: { tag: 'sync' },
    noTypescript: true,
  });
  // Written beside, then renamed: another adapter process may read the cache.
  const partial = `${dir}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  for (const [file, contents] of Object.entries(out.files)) {
    mkdirSync(dirname(join(partial, file)), { recursive: true });
    const text = file.endsWith('.js') ? keepBom(new TextDecoder().decode(contents)) : contents;
    writeFileSync(join(partial, file), text);
  }
  writeFileSync(join(partial, 'imports.json'), JSON.stringify(imports));
  mkdirSync(dirname(dir), { recursive: true });
  try {
    renameSync(partial, dir);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(dir, 'imports.json'))) throw error;
  }
}

/** `list-keys` → `listKeys`, as jco names a function in JavaScript. */
export function jsName(witName) {
  return witName.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
}
