// airssys:core/storage (STO-1..11): each component's keys in its own
// namespace, within a byte quota and a key count, kept in memory and in a
// journal file so that what returned `ok` survives a restart (STO-11).

import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync } from 'node:fs';
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
 * write, flushed to disk before the call returns. A crash mid-write leaves a
 * torn last line, which was never acknowledged: it is cut off when the
 * journal is opened. The journal is rewritten from what is stored when it
 * opens, and whenever it grows past four times that (and 1 MiB), so that
 * neither a restart nor a guest writing in a loop makes it grow without end.
 */
export class Storage {
  constructor(dir, config) {
    this.config = config;
    this.dir = dir;
    this.journal = join(dir, 'storage.jsonl');
    /** namespace → Map(key → Uint8Array) */
    this.namespaces = new Map();
    this.usedBytes = new Map();
    this.journalBytes = 0;
    if (existsSync(this.journal)) {
      this.#replay();
      this.#compact();
    }
  }

  #replay() {
    const text = readFileSync(this.journal, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    for (const line of text.slice(0, end).split('\n')) {
      if (line === '') continue;
      const entry = JSON.parse(line);
      if (entry.op === 'set') this.#put(entry.ns, entry.key, new Uint8Array(Buffer.from(entry.value, 'base64')));
      else if (entry.op === 'delete') this.#remove(entry.ns, entry.key);
    }
  }

  /** The journal rewritten from what is stored, replacing the old one at once. */
  #compact() {
    const next = `${this.journal}.next`;
    const fd = openSync(next, 'w');
    let bytes = 0;
    try {
      for (const [ns, keys] of this.namespaces) {
        for (const [key, value] of keys) {
          const line = JSON.stringify({ op: 'set', ns, key, value: Buffer.from(value).toString('base64') }) + '\n';
          appendFileSync(fd, line);
          bytes += Buffer.byteLength(line);
        }
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(next, this.journal);
    this.journalBytes = bytes;
  }

  /** Appends `entry` durably; the `io-error` reason if it could not (STO-11.2). */
  #write(entry) {
    const line = JSON.stringify(entry) + '\n';
    try {
      const fd = openSync(this.journal, 'a');
      try {
        appendFileSync(fd, line);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      this.journalBytes += Buffer.byteLength(line);
      return null;
    } catch (error) {
      return `writing ${this.journal} failed: ${error.message}`;
    }
  }

  /** After a write is applied: the journal rewritten once it is mostly history. */
  #tidy() {
    let live = 0;
    for (const used of this.usedBytes.values()) live += used;
    if (this.journalBytes <= 4 * live + 1024 * 1024) return;
    try {
      this.#compact();
    } catch (error) {
      // The old journal is whole: it was replaced only if the new one was.
      console.error(`compacting ${this.journal} failed: ${error.message}`);
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
        const failed = this.#write({ op: 'set', ns, key, value: Buffer.from(copy).toString('base64') });
        if (failed) return err({ tag: 'io-error', val: failed });
        this.#put(ns, key, copy);
        this.#tidy();
        return ok(undefined);
      },
      delete: (key) => {
        const refused = guard.delete() ?? checked(key);
        if (refused) return refused;
        if (this.#keys(ns).has(key)) {
          const failed = this.#write({ op: 'delete', ns, key });
          if (failed) return err({ tag: 'io-error', val: failed });
          this.#remove(ns, key);
          this.#tidy();
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
