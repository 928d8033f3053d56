// airssys:core/host-services (SVC-1..6): log records, clocks, sleep within
// the call's budget, and the registry of loaded components.

import { now } from './messaging.mjs';
import { render } from './grants.mjs';
import { Ring } from './bounded.mjs';
import { cutUtf8, utf8Length } from './text.mjs';

/** SVC-1.1: what a host holds per context pair, besides its text. */
const CONTEXT_PAIR_OVERHEAD = 32;

export function cutMessage(message, limit) {
  const length = utf8Length(message);
  if (length <= limit) return message;
  const kept = cutUtf8(message, limit);
  return `${kept}… [cut: ${length} bytes, first ${utf8Length(kept)} kept]`;
}

export function boundContext(pairs, limit) {
  let used = 0;
  const kept = [];
  for (const [key, value] of pairs) {
    used += utf8Length(key) + utf8Length(value) + CONTEXT_PAIR_OVERHEAD;
    if (used > limit) break;
    kept.push([key, value]);
  }
  if (kept.length < pairs.length) {
    kept.push(['…', `${pairs.length - kept.length} of ${pairs.length} context pairs dropped`]);
  }
  return kept;
}

/** The newest log records (SVC-1.2). */
export class LogBuffer extends Ring {
  get records() {
    return this.items;
  }
}

/** The loaded components in load order (SVC-5.1), by rendered id. */
export class Registry {
  constructor() {
    this.entries = new Map();
  }

  has(id) {
    return this.entries.has(render(id));
  }

  get(id) {
    return this.entries.get(render(id));
  }

  insert(registration) {
    this.entries.set(render(registration.id), registration);
  }

  remove(id) {
    this.entries.delete(render(id));
  }

  ids() {
    return [...this.entries.values()].map((entry) => ({ ...entry.id }));
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms`: the guest's call is synchronous. */
export function block(ms) {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * The `host-services` instance of the component `self`. `call` is the
 * component's running call (its remaining budget); `health(id)` asks a
 * loaded component for its health as SVC-6.1 says.
 */
export function services(self, { config, logs, registry, call, health }) {
  return {
    log: (level, message, context) => {
      logs.push({
        component: { ...self },
        level,
        message: cutMessage(message, config.maxLogMessageBytes),
        context: boundContext(context ?? [], config.maxLogContextBytes),
      });
    },
    'current-time': () => now(),
    'current-time-millis': () => BigInt(Date.now()),
    'sleep-millis': (durationMs) => {
      const asked = Number(durationMs);
      const remaining = call.remainingMs();
      if (asked > remaining) {
        // SVC-4.1: a trap at once, without sleeping.
        throw new Error(
          `sleep-millis(${durationMs}) by ${render(self)} exceeds its remaining execution budget of ${Math.floor(remaining)} ms`,
        );
      }
      block(asked);
    },
    'list-components': () => registry.ids(),
    'get-component-metadata': (id) => {
      const registration = registry.get(id);
      if (!registration) {
        return { tag: 'err', val: { tag: 'invalid-state', val: `no component \`${render(id)}\` is loaded` } };
      }
      return {
        tag: 'ok',
        val: {
          id: { ...registration.id },
          name: registration.name,
          version: registration.version,
          health: health(registration),
        },
      };
    },
  };
}
