// airssys:core/storage (STO-1..11): each component's keys in its own
// namespace, within a byte quota and a key count, kept in memory and in a
// journal file so that what returned `ok` survives a restart (STO-11).

import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { utf8Length, compareUtf8 } from './text.mjs';

const ok = (val) => ({ tag: 'ok', val });
const err = (val) => ({ tag: 'err', val });

/** STO-8.1's words, as the reference host says them. */
export function invalidKey(key, limit) {
  if (key.length === 0) return 'the key is empty';
  const bytes = utf8Length(key);
  return bytes > limit ? `the key is ${bytes} bytes; the limit is ${limit} bytes` : null;
}

/**
 * Every namespace's keys. The journal is one JSON line per acknowledged
 * write, flushed to disk before the call returns; a torn last line (a crash
 * mid-write) is not an acknowledged write and is skipped when read back.
 */
export class Storage {
  constructor(dir, config) {
    this.config = config;
    this.dir = dir;
    this.journal = join(dir, 'storage.jsonl');
    /** namespace → Map(key → Uint8Array) */
    this.namespaces = new Map();
    this.usedBytes = new Map();
    if (existsSync(this.journal)) this.#replay();
  }

  #replay() {
    for (const line of readFileSync(this.journal, 'utf8').split('\n')) {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      if (entry.op === 'set') this.#put(entry.ns, entry.key, Buffer.from(entry.value, 'base64'));
      else if (entry.op === 'delete') this.#remove(entry.ns, entry.key);
    }
  }

  #write(entry) {
    const fd = openSync(this.journal, 'a');
    try {
      appendFileSync(fd, JSON.stringify(entry) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  #keys(ns) {
    let keys = this.namespaces.get(ns);
    if (!keys) {
      keys = new Map();
      this.namespaces.set(ns, keys);
      this.usedBytes.set(ns, 0);
    }
    return keys;
  }

  #put(ns, key, value) {
    const keys = this.#keys(ns);
    const old = keys.get(key);
    const delta = (old ? -(utf8Length(key) + old.length) : 0) + utf8Length(key) + value.length;
    keys.set(key, value);
    this.usedBytes.set(ns, this.usedBytes.get(ns) + delta);
  }

  #remove(ns, key) {
    const keys = this.#keys(ns);
    const old = keys.get(key);
    if (!old) return;
    keys.delete(key);
    this.usedBytes.set(ns, this.usedBytes.get(ns) - utf8Length(key) - old.length);
  }

  /** The `storage` instance for the component whose namespace is `ns`. */
  functions(ns, guard) {
    const limit = this.config.maxKeyBytes;
    const checked = (key) => {
      const reason = invalidKey(key, limit);
      return reason ? err({ tag: 'invalid-key', val: reason }) : null;
    };
    return {
      get: (key) =>
        guard.read() ?? checked(key) ?? ok(this.#keys(ns).get(key)?.slice()),
      set: (key, value) => {
        const refused = guard.write() ?? checked(key);
        if (refused) return refused;
        const keys = this.#keys(ns);
        const old = keys.get(key);
        const used = this.usedBytes.get(ns);
        const after = used - (old ? utf8Length(key) + old.length : 0) + utf8Length(key) + value.length;
        if (after > this.config.quotaBytes || (!old && keys.size >= this.config.maxKeys)) {
          return err({ tag: 'quota-exceeded' });
        }
        const copy = Uint8Array.from(value);
        this.#write({ op: 'set', ns, key, value: Buffer.from(copy).toString('base64') });
        this.#put(ns, key, copy);
        return ok(undefined);
      },
      delete: (key) => {
        const refused = guard.delete() ?? checked(key);
        if (refused) return refused;
        if (this.#keys(ns).has(key)) {
          this.#write({ op: 'delete', ns, key });
          this.#remove(ns, key);
        }
        return ok(undefined);
      },
      exists: (key) => guard.read() ?? checked(key) ?? ok(this.#keys(ns).has(key)),
      'list-keys': (prefix) => {
        const refused = guard.read();
        if (refused) return refused;
        const keys = [...this.#keys(ns).keys()].filter((key) => !prefix || key.startsWith(prefix));
        return ok(keys.sort(compareUtf8));
      },
      usage: () =>
        guard.read() ??
        ok({
          usedBytes: BigInt(this.usedBytes.get(ns) ?? 0),
          quotaBytes: BigInt(this.config.quotaBytes),
          keyCount: BigInt(this.#keys(ns).size),
        }),
    };
  }
}
