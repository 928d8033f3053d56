// What a component may do (SEC-1), how often (RES-2), and the audit of both
// (SEC-1.3). Deny by default: a component loaded without a grant has none.

import { Ring } from './bounded.mjs';
import { cutUtf8 } from './text.mjs';

const STORAGE = ['storage-read', 'storage-write', 'storage-delete'];
const MESSAGING = ['send', 'request', 'broadcast'];
/** Capabilities in words, as refusals name them. */
const NAMES = {
  'storage-read': 'storage read',
  'storage-write': 'storage write',
  'storage-delete': 'storage delete',
  send: 'messaging send',
  request: 'messaging request',
  broadcast: 'messaging broadcast',
};

/** The protocol's `grant`: `"everything"`, `"nothing"` or `{only: {...}}`, checked. */
export function readGrant(grant) {
  if (grant === 'everything') return { everything: true };
  if (grant === 'nothing' || grant === undefined) return { only: {} };
  if (grant && typeof grant === 'object' && grant.only && typeof grant.only === 'object') {
    for (const capability of MESSAGING) {
      for (const pattern of grant.only[capability] ?? []) {
        const parts = String(pattern).split('/');
        if (parts.length !== 3 || parts.some((part) => part === '')) {
          throw new Error(
            `the ${capability} pattern ${JSON.stringify(pattern)} is not \`namespace/name/instance\` (a part may be \`*\`)`,
          );
        }
      }
    }
    return { only: grant.only };
  }
  throw new Error(`a grant is "everything", "nothing" or {"only": {...}}, not ${JSON.stringify(grant)}`);
}

function granted(grant, capability, target) {
  if (grant.everything) return true;
  const only = grant.only;
  if (STORAGE.includes(capability)) return only[capability] === true;
  return (only[capability] ?? []).some((pattern) => {
    const [namespace, name, instance] = pattern.split('/');
    const part = (p, v) => p === '*' || p === v;
    return part(namespace, target.namespace) && part(name, target.name) && part(instance, target.instance);
  });
}

export function render(id) {
  return `${id.namespace}/${id.name}/${id.instance}`;
}

/** RES-2: up to one second's worth at once, refilled continuously. */
class TokenBucket {
  constructor(perSecond) {
    this.perSecond = perSecond;
    this.tokens = perSecond;
    this.last = performance.now();
  }

  take(n) {
    const now = performance.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (n > this.tokens) return false;
    this.tokens -= n;
    return true;
  }
}

/** The newest refusals, and counts (SEC-1.3). */
export class AuditLog {
  constructor(capacity) {
    this.refusals = new Ring(capacity);
    this.allowed = 0;
  }

  record(caller, capability, target, reason) {
    if (reason === null) {
      this.allowed += 1;
      return;
    }
    // Guests choose both: at most 512 bytes of reason, 128 per id part.
    const cut = (text, n) => {
      const kept = cutUtf8(text, n);
      return kept === text ? text : `${kept}…`;
    };
    const id = (of) => ({ namespace: cut(of.namespace, 128), name: cut(of.name, 128), instance: cut(of.instance, 128) });
    this.refusals.push({
      caller: render(caller),
      capability,
      target: target ? render(id(target)) : null,
      reason: cut(reason, 512),
    });
  }
}

/**
 * One component's grant, rates and audit: each check answers `null` when the
 * call may go on, or the `err` the function returns.
 */
export class Guard {
  constructor(id, grant, config, audit) {
    this.id = id;
    this.grant = grant;
    this.audit = audit;
    this.messages = new TokenBucket(config.messagesPerSecond);
    this.writes = new TokenBucket(config.storageWritesPerSecond);
  }

  /** `null`, or why `capability` (to `target`) is refused. */
  check(capability, target) {
    const reason = granted(this.grant, capability, target)
      ? null
      : target
        ? `capability denied: ${NAMES[capability]} to ${render(target)} is not granted`
        : `capability denied: ${NAMES[capability]} is not granted`;
    this.audit.record(this.id, capability, target, reason);
    return reason;
  }

  rate(bucket, what, setting, n, capability, target) {
    if (bucket.take(n)) return null;
    const reason = `rate limit: over ${bucket.perSecond} ${what} per second (${setting}); this call needed ${n}`;
    this.audit.record(this.id, capability, target, reason);
    return reason;
  }

  #storage(capability, rated) {
    const reason =
      this.check(capability) ??
      (rated ? this.rate(this.writes, 'storage writes', 'storage_writes_per_second', 1, capability) : null);
    return reason === null ? null : { tag: 'err', val: { tag: 'io-error', val: reason } };
  }

  read() {
    return this.#storage('storage-read', false);
  }

  write() {
    return this.#storage('storage-write', true);
  }

  delete() {
    return this.#storage('storage-delete', true);
  }

  /** A message to `target`: its grant, then one delivery of the rate. */
  message(capability, target) {
    return this.check(capability, target) ?? this.rate(this.messages, 'messages', 'messages_per_second', 1, capability, target);
  }

  /** A broadcast: every target's grant (SEC-1.2), then one delivery each. */
  broadcast(targets) {
    for (const target of targets) {
      const reason = this.check('broadcast', target);
      if (reason) return reason;
    }
    return this.rate(this.messages, 'messages', 'messages_per_second', targets.length, 'broadcast', null);
  }
}
