// airssys:core/host-messaging (MSG-1..9): calls only queue; the runtime
// delivers (`Router.next`). One FIFO queue for every delivery keeps each
// sender's order to each target (MSG-3).

import { render } from './grants.mjs';

export const TIMEOUT_CONTENT_TYPE = 'application/vnd.airssys.timeout';
/** MSG-7.1: settled requests remembered per caller. */
const SETTLED_MEMORY = 4096;

const ok = (val) => ({ tag: 'ok', val });
const err = (val) => ({ tag: 'err', val });
const invalid = (reason) => err({ tag: 'invalid-message', val: reason });

/** The wall clock (SVC-2): `Date.now()`, which follows the system's clock. */
export function now() {
  const ms = BigInt(Date.now());
  return { seconds: ms / 1000n, nanoseconds: Number(ms % 1000n) * 1_000_000 };
}

export class Router {
  constructor(config, registry) {
    this.config = config;
    this.registry = registry;
    this.queue = [];
    this.head = 0;
    /** target → {deliveries, bytes} undelivered (MSG-9, MSG-9.3) */
    this.queued = new Map();
    /** ticket → {caller, target, deadline} */
    this.pending = new Map();
    /** caller → pending count (MSG-5.3) */
    this.waiting = new Map();
    /** ticket → {caller, how} */
    this.settled = new Map();
    /** caller → tickets, oldest first */
    this.settledOrder = new Map();
    this.issued = 0;
    const started = BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6));
    this.runTag = `${process.pid.toString(16)}-${(started & 0xffffffffn).toString(16)}`;
  }

  correlationId(ticket) {
    return `${this.runTag}-${ticket}`;
  }

  /** The ticket of an id this router issued, exactly as issued; else `null`. */
  ticket(id) {
    const prefix = `${this.runTag}-`;
    if (!id.startsWith(prefix)) return null;
    const number = id.slice(prefix.length);
    return /^[1-9][0-9]*$/.test(number) && Number.isSafeInteger(Number(number)) ? Number(number) : null;
  }

  #queued(target) {
    return this.queued.get(render(target)) ?? { deliveries: 0, bytes: 0 };
  }

  #fits(queued, more) {
    return queued.bytes + more <= this.config.maxQueuedBytes;
  }

  /** MSG-4 then MSG-9's room; `null` when the target can take `bytes` more. */
  #room(target, bytes) {
    if (!this.registry.has(target)) return err({ tag: 'target-not-found', val: target });
    const queued = this.#queued(target);
    if (queued.deliveries >= this.config.queueDepth || !this.#fits(queued, bytes)) {
      return err({ tag: 'queue-full' });
    }
    return null;
  }

  #payload(payload) {
    const limit = this.config.maxMessageBytes;
    return payload.length > limit ? invalid(`payload is ${payload.length} bytes; the limit is ${limit} bytes`) : null;
  }

  #push(parcel) {
    const key = render(parcel.target);
    const queued = this.queued.get(key) ?? { deliveries: 0, bytes: 0 };
    queued.deliveries += 1;
    queued.bytes += parcel.payload.length;
    this.queued.set(key, queued);
    this.queue.push(parcel);
  }

  #settle(ticket, caller, how) {
    const key = render(caller);
    const order = this.settledOrder.get(key) ?? [];
    if (order.length === SETTLED_MEMORY) this.settled.delete(order.shift());
    order.push(ticket);
    this.settledOrder.set(key, order);
    this.settled.set(ticket, { caller: key, how });
  }

  #takePending(ticket) {
    const pending = this.pending.get(ticket);
    if (!pending) return null;
    this.pending.delete(ticket);
    const key = render(pending.caller);
    const count = this.waiting.get(key) - 1;
    if (count === 0) this.waiting.delete(key);
    else this.waiting.set(key, count);
    return pending;
  }

  /** The `host-messaging` instance of the component `self`, checked by `guard`. */
  functions(self, guard) {
    const denied = (reason) => err({ tag: 'delivery-failed', val: reason });
    const parcel = (kind, target, payload) => ({
      kind,
      target,
      sender: self,
      payload: Uint8Array.from(payload),
      ticket: null,
      replyTo: null,
      timestamp: now(),
      timeoutNotice: false,
    });
    return {
      send: (target, payload) => {
        const reason = guard.message('send', target);
        if (reason) return denied(reason);
        const refused = this.#payload(payload) ?? this.#room(target, payload.length);
        if (refused) return refused;
        this.#push(parcel('message', target, payload));
        return ok(undefined);
      },
      request: (target, payload, timeoutMs) => {
        const reason = guard.message('request', target);
        if (reason) return denied(reason);
        if (timeoutMs === 0n) return invalid('timeout-ms is 0; a request needs at least 1 ms to be answered');
        const longest = BigInt(this.config.maxRequestTimeoutMs);
        if (timeoutMs > longest) {
          return invalid(`timeout-ms is ${timeoutMs}; the longest a request may wait is ${longest} ms`);
        }
        const refused = this.#payload(payload) ?? this.#room(target, payload.length);
        if (refused) return refused;
        const callerKey = render(self);
        if ((this.waiting.get(callerKey) ?? 0) >= this.config.maxPendingRequests) {
          return err({ tag: 'queue-full' });
        }
        this.issued += 1;
        const ticket = this.issued;
        this.pending.set(ticket, { caller: self, target, deadline: performance.now() + Number(timeoutMs) });
        this.waiting.set(callerKey, (this.waiting.get(callerKey) ?? 0) + 1);
        const request = parcel('request', target, payload);
        request.ticket = ticket;
        request.replyTo = self;
        this.#push(request);
        return ok(this.correlationId(ticket));
      },
      'cancel-request': (id) => {
        const unknown = invalid(`no pending request \`${id}\` of the caller`);
        const ticket = this.ticket(id);
        if (ticket === null) return unknown;
        const callerKey = render(self);
        const pending = this.pending.get(ticket);
        if (pending) {
          if (render(pending.caller) !== callerKey) return unknown;
          this.#takePending(ticket);
          this.#settle(ticket, self, 'cancelled');
          return ok(undefined);
        }
        const settled = this.settled.get(ticket);
        if (!settled || settled.caller !== callerKey) return unknown;
        switch (settled.how) {
          case 'timed-out':
            return err({ tag: 'correlation-timeout', val: id });
          case 'answered':
            return invalid(`request \`${id}\` was already answered`);
          case 'cancelled':
            return invalid(`request \`${id}\` was already cancelled`);
        }
        return unknown;
      },
      broadcast: (targets, payload) => {
        const reason = guard.broadcast(targets);
        if (reason) return denied(reason);
        const tooLarge = this.#payload(payload);
        if (tooLarge) return tooLarge;
        const unique = new Map(targets.map((target) => [render(target), target]));
        const absent = [...unique.values()].find((target) => !this.registry.has(target));
        if (absent) return err({ tag: 'target-not-found', val: absent });
        for (const target of unique.values()) {
          const refused = this.#room(target, payload.length);
          if (refused) return refused;
        }
        for (const target of unique.values()) this.#push(parcel('message', target, payload));
        return ok(undefined);
      },
      'self-id': () => ({ ...self }),
    };
  }

  /** The next delivery, oldest first, as the message its target is called with. */
  next() {
    if (this.head === this.queue.length) return null;
    const parcel = this.queue[this.head];
    this.queue[this.head] = undefined;
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    const key = render(parcel.target);
    const queued = this.queued.get(key);
    queued.deliveries -= 1;
    queued.bytes -= parcel.payload.length;
    if (queued.deliveries === 0) this.queued.delete(key);
    return {
      target: parcel.target,
      kind: parcel.kind,
      message: {
        sender: { ...parcel.sender },
        payload: parcel.payload,
        metadata: {
          correlationId: parcel.ticket === null ? undefined : this.correlationId(parcel.ticket),
          replyTo: parcel.replyTo ? { ...parcel.replyTo } : undefined,
          timestamp: parcel.timestamp,
          contentType: parcel.timeoutNotice ? TIMEOUT_CONTENT_TYPE : undefined,
        },
      },
    };
  }

  /**
   * MSG-5: `replier`'s answer to request `id`. `null` when it answered, or the
   * request was already settled (the reply is dropped); else why the reply
   * was dropped (MSG-9.3), and the request stays pending to time out.
   */
  answer(id, replier, reply) {
    const ticket = this.ticket(id);
    const pending = ticket === null ? null : this.pending.get(ticket);
    if (!pending) return null;
    const queued = this.#queued(pending.caller);
    if (!this.#fits(queued, reply.length)) {
      return `the reply of ${reply.length} bytes does not fit the ${queued.bytes} bytes already queued for \`${render(pending.caller)}\` (max_queued_bytes ${this.config.maxQueuedBytes}); it was dropped, and request \`${id}\` will time out`;
    }
    this.#takePending(ticket);
    this.#settle(ticket, pending.caller, 'answered');
    this.#push({
      kind: 'callback',
      target: pending.caller,
      sender: replier,
      payload: Uint8Array.from(reply),
      ticket,
      replyTo: null,
      timestamp: now(),
      timeoutNotice: false,
    });
    return null;
  }

  /** MSG-6: times out every request due at `at`, earliest first; how many. */
  expire(at) {
    const due = [...this.pending.entries()]
      .filter(([, pending]) => pending.deadline <= at)
      .sort(([a, x], [b, y]) => x.deadline - y.deadline || a - b);
    for (const [ticket] of due) {
      const pending = this.#takePending(ticket);
      this.#settle(ticket, pending.caller, 'timed-out');
      this.#push({
        kind: 'callback',
        target: pending.caller,
        sender: pending.target,
        payload: new Uint8Array(0),
        ticket,
        replyTo: null,
        timestamp: now(),
        timeoutNotice: true,
      });
    }
    return due.length;
  }

  nextDeadline() {
    let earliest = null;
    for (const pending of this.pending.values()) {
      if (earliest === null || pending.deadline < earliest) earliest = pending.deadline;
    }
    return earliest;
  }

  get undelivered() {
    return this.queue.length - this.head;
  }

  /** MSG-4.2: nothing of an unloaded component's stays. */
  forget(id) {
    const key = render(id);
    this.queue = this.queue.slice(this.head).filter((parcel) => render(parcel.target) !== key);
    this.head = 0;
    this.queued.delete(key);
    for (const [ticket, pending] of this.pending) {
      if (render(pending.caller) === key) this.#takePending(ticket);
    }
    this.waiting.delete(key);
    for (const ticket of this.settledOrder.get(key) ?? []) this.settled.delete(ticket);
    this.settledOrder.delete(key);
  }
}
