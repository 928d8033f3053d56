// The host: the 17 functions of airssys:core@1.0.0 over shared storage, a
// router and a registry, and the components it loads and calls.

import { AuditLog, Guard, readGrant, render } from './grants.mjs';
import { compile, jsName } from './components.mjs';
import { Router, now } from './messaging.mjs';
import { answerMismatch } from './shapes.mjs';
import { LogBuffer, Registry, block, services } from './services.mjs';
import { Storage } from './storage.mjs';
import { cutUtf8, utf8Length } from './text.mjs';

export const CONTRACT = 'airssys:core';
export const VERSION = '1.0.0';

/** Every setting, with the reference host's defaults. */
export const DEFAULTS = Object.freeze({
  maxKeyBytes: 1024,
  quotaBytes: 10 * 1024 * 1024,
  maxKeys: 65536,
  maxMessageBytes: 1024 * 1024,
  queueDepth: 1024,
  maxQueuedBytes: 64 * 1024 * 1024,
  maxPendingRequests: 1024,
  maxRequestTimeoutMs: 3_600_000,
  maxLogMessageBytes: 16 * 1024,
  maxLogContextBytes: 4 * 1024,
  logCapacity: 1024,
  auditCapacity: 4096,
  messagesPerSecond: 10_000,
  storageWritesPerSecond: 10_000,
  maxMetadataTextBytes: 1024,
  executionBudgetMs: 5000,
  maxMemoryBytes: 64 * 1024 * 1024,
});

/** HOST-1: why `id` cannot be assigned, or `null`. */
export function invalidId(id) {
  for (const part of ['namespace', 'name', 'instance']) {
    const text = id?.[part];
    if (typeof text !== 'string' || text === '') return `its ${part} is empty`;
    if (text.includes('/')) return `its ${part} contains \`/\``;
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f-\u009f]/.test(text)) return `its ${part} contains a control character`;
  }
  return null;
}

/** A guest's trap, or the host ending its call: never a guest's `err`. */
export class Trap extends Error {}

/**
 * The host ending a call because one of its own functions answered a value
 * that is not of the type the component imports it with: the host's fault,
 * named as protocol 1.2's `unsatisfied.other_type` names it.
 */
export class MistypedAnswer extends Trap {
  constructor(full, why) {
    super(`${why}; the host stopped the call there, before the component got the answer (the host's fault, not the component's)`);
    this.unsatisfied = { other_type: [full] };
  }
}

/** How a call into a guest ended when it did not return. */
function ended(error) {
  if (error && Object.hasOwn(error, 'payload')) return { returned: error.payload };
  // jco's `throw-result-err` exports throw the `err` value itself (a WIT
  // variant: `{ tag, val }`), not an Error: an answer, not a trap.
  if (error && typeof error === 'object' && !(error instanceof Error) && 'tag' in error) return { returned: error };
  if (error instanceof MistypedAnswer) return { trapped: error.message, mistyped: error };
  return { trapped: error instanceof Error ? error.message : String(error) };
}

/**
 * `f`, the host function `full` (`instance#name`), checking each answer
 * against `result`, the type the component imports it with: one of another
 * type ends the call (`MistypedAnswer`) instead of reaching jco, which would
 * trap in its own words or lower it as something else. Answers that fit,
 * and what `f` throws, go to jco as they are.
 */
export function typed(f, full, name, result) {
  if (result === null || result === undefined) return f;
  return (...args) => {
    const value = f(...args);
    const why = answerMismatch(name, value, result);
    if (why) throw new MistypedAnswer(full, why);
    return value;
  };
}

function errText(value) {
  if (value && typeof value === 'object' && 'tag' in value) {
    return value.val === undefined ? value.tag : `${value.tag}(${JSON.stringify(value.val)})`;
  }
  return JSON.stringify(value);
}

export class Host {
  /**
   * `dir` holds the storage journal; `registration(functions)` may change
   * what the host registers (the broken hosts); `traps` are functions to
   * register as traps instead (the protocol's `reset`).
   */
  constructor(dir, { config = DEFAULTS, logs, registration = (r) => r, traps = [] } = {}) {
    this.config = config;
    this.storage = new Storage(dir, config);
    this.registry = new Registry();
    this.router = new Router(config, this.registry);
    this.logs = logs ?? new LogBuffer(config.logCapacity);
    this.audit = new AuditLog(config.auditCapacity);
    this.shape = registration;
    this.traps = traps;
  }

  /** The functions one component sees, by full instance name and WIT name. */
  registration(component) {
    const guard = component.guard;
    const ns = render(component.id);
    const functions = {
      [`${CONTRACT}/types@${VERSION}`]: {},
      [`${CONTRACT}/errors@${VERSION}`]: {},
      [`${CONTRACT}/storage@${VERSION}`]: this.storage.functions(ns, guard),
      [`${CONTRACT}/host-messaging@${VERSION}`]: this.router.functions(component.id, guard),
      [`${CONTRACT}/host-services@${VERSION}`]: services(component.id, {
        config: this.config,
        logs: this.logs,
        registry: this.registry,
        call: component.call,
        health: (registration) => this.#health(registration.component),
      }),
    };
    const shaped = this.shape(functions);
    // A function that failed its name or signature trial traps where the
    // contract puts it, registered or not, so only its own trials fail.
    for (const { instance, name } of this.traps) {
      shaped[instance] ??= {};
      shaped[instance][name] = () => {
        throw new Trap(`\`${instance}#${name}\` failed its name or signature trial and traps here`);
      };
    }
    return shaped;
  }

  /** The imports of `imports` this host does not provide, by full name. */
  missing(imports) {
    const provided = this.registration(placeholder());
    const missing = [];
    for (const { instance, functions } of imports) {
      const host = instance === null ? provided : provided[instance];
      for (const name of functions) {
        const full = instance === null ? name : `${instance}#${name}`;
        if (!host || typeof host[name] !== 'function') missing.push(full);
      }
      if (instance !== null && !host && functions.length === 0) missing.push(instance);
    }
    return missing;
  }

  /** HOST-2: instantiate, read metadata, register, initialize. */
  async load(id, path, grant, budgetMs) {
    const invalid = invalidId(id);
    if (invalid) throw new Error(`component id \`${render(id)}\` is not valid: ${invalid}`);
    if (this.registry.has(id)) {
      throw new Error(`a component with id \`${render(id)}\` is already loaded; unload it first or choose another instance name`);
    }
    const compiled = await compile(path);
    const missing = this.missing(compiled.imports);
    if (missing.length > 0) throw new Error(`the host does not provide ${missing.join(', ')}`);
    const component = {
      id: { ...id },
      guard: new Guard(id, readGrant(grant), this.config, this.audit),
      call: callBudget(budgetMs ?? this.config.executionBudgetMs),
      busy: false,
      retired: false,
      exports: null,
      lastHealth: 'unknown',
    };
    // Each function with the type this component imports it with: jco types
    // nothing when it links, so the host checks each answer at the call.
    const types = new Map(compiled.imports.map((i) => [i.instance, i.types ?? {}]));
    const importObject = {};
    for (const [instance, functions] of Object.entries(this.registration(component))) {
      const js = {};
      for (const [name, f] of Object.entries(functions)) {
        js[jsName(name)] = typed(f, `${instance}#${name}`, name, types.get(instance)?.[name]?.result);
      }
      // jco looks instances up without their version (`airssys:core/storage`).
      importObject[instance.replace(/@[^/]*$/, '')] = js;
      importObject[instance] = js;
    }
    let root;
    try {
      component.call.start();
      root = await compiled.instantiate(importObject);
    } catch (error) {
      if (error instanceof MistypedAnswer) throw error;
      throw new Error(`component \`${render(id)}\` failed to start: ${ended(error).trapped ?? errText(ended(error).returned)}`);
    }
    component.exports = root[`${CONTRACT}/component-lifecycle@${VERSION}`] ?? root.componentLifecycle;
    const metadata = this.call(component, 'metadata');
    if (metadata.mistyped) throw metadata.mistyped;
    if (metadata.trapped) throw new Error(`component \`${render(id)}\` trapped in metadata: ${metadata.trapped}`);
    for (const field of ['name', 'version']) {
      const length = utf8Length(metadata.value[field]);
      if (length > this.config.maxMetadataTextBytes) {
        throw new Error(
          `its metadata ${field} is ${length} bytes long; the host keeps at most ${this.config.maxMetadataTextBytes} (max_metadata_text_bytes)`,
        );
      }
    }
    this.registry.insert({ id: component.id, name: metadata.value.name, version: metadata.value.version, component });
    const initialized = this.call(component, 'initialize', {
      envVars: [],
      configData: undefined,
      resourceLimits: {
        maxMemoryBytes: BigInt(this.config.maxMemoryBytes),
        maxExecutionTimeMs: BigInt(component.call.budgetMs),
        maxFuel: undefined,
      },
    });
    if (!('value' in initialized)) {
      this.forget(id);
      if (initialized.mistyped) throw initialized.mistyped;
      const why = initialized.trapped ?? `initialize returned err(${errText(initialized.returned)})`;
      throw new Error(`component \`${render(id)}\` failed to initialize: ${why}`);
    }
    const health = this.call(component, 'health');
    if (health.mistyped) {
      this.forget(id);
      throw health.mistyped;
    }
    component.lastHealth = 'value' in health ? health.value : 'unhealthy';
  }

  /**
   * Calls `export` of `component` with its budget: `{value}`, `{returned}`
   * (the guest's `err`) or `{trapped}`. A trap retires it (SEC-2.3).
   */
  call(component, name, ...args) {
    if (component.retired) {
      return { trapped: `component \`${render(component.id)}\` trapped earlier and cannot be entered again; unload and load it anew` };
    }
    const outer = component.call.save();
    component.busy = true;
    component.call.start();
    try {
      return { value: component.exports[jsName(name)](...args) };
    } catch (error) {
      const how = ended(error);
      if (how.trapped !== undefined) component.retired = true;
      return how;
    } finally {
      component.busy = false;
      component.call.restore(outer);
    }
  }

  /** SVC-6.1: asked now, unless busy; `unhealthy` once it trapped. */
  #health(component) {
    if (component.retired) return 'unhealthy';
    if (component.busy) return component.lastHealth;
    const health = this.call(component, 'health');
    component.lastHealth = 'value' in health ? health.value : 'unhealthy';
    return component.lastHealth;
  }

  /**
   * `handle-message` of `id` with a message from `sender`; with `exportName`
   * `handle-callback`, that export instead (protocol 1.3), whose `ok` has no
   * payload. `correlationId` and `replyTo` fill the message's metadata.
   */
  invoke(id, sender, payload, contentType, { correlationId, replyTo, exportName = 'handle-message' } = {}) {
    const registration = this.registry.get(id);
    if (!registration) throw new Error(`no component \`${render(id)}\` is loaded`);
    const result = this.call(registration.component, exportName, {
      sender,
      payload,
      metadata: { correlationId, replyTo, timestamp: now(), contentType },
    });
    if ('value' in result) return exportName === 'handle-callback' ? undefined : result.value;
    // Refused naming the import (`unsatisfied`, protocol 1.2), not the guest.
    if (result.mistyped) throw result.mistyped;
    if (result.trapped !== undefined) throw new Error(result.trapped);
    // An answer, refused as in protocol 1.2 with the error beside (1.3: `err`).
    const error = new Error(`${exportName} returned err(${errText(result.returned)})`);
    error.returnedErr = errText(result.returned);
    throw error;
  }

  /**
   * `metadata` or `health` of `id` (protocol 1.3): what it returned, or an
   * error with the trap's words.
   */
  describe(id, exportName) {
    const registration = this.registry.get(id);
    if (!registration) throw new Error(`no component \`${render(id)}\` is loaded`);
    const result = this.call(registration.component, exportName);
    if (result.mistyped) throw result.mistyped;
    if (!('value' in result)) throw new Error(`component \`${render(id)}\` trapped in ${exportName}: ${result.trapped}`);
    return result.value;
  }

  /** Delivers until nothing is queued or pending, for at most `limitMs`. */
  settle(limitMs) {
    const end = performance.now() + limitMs;
    // HOST-5: guests choose the text; at most 256 problems of 512 bytes.
    const problems = [];
    let dropped = 0;
    for (;;) {
      this.router.expire(performance.now());
      if (performance.now() >= end) break;
      const delivery = this.router.next();
      if (delivery) {
        const problem = this.#deliver(delivery);
        if (problem && problems.length < 256) problems.push(cutUtf8(problem, 512));
        else if (problem) dropped += 1;
        continue;
      }
      const deadline = this.router.nextDeadline();
      if (deadline === null) break;
      block(Math.max(0, Math.min(deadline, end) - performance.now()));
    }
    return { problems, dropped };
  }

  #deliver({ target, kind, message }) {
    const registration = this.registry.get(target);
    if (!registration) return `no component \`${render(target)}\` is loaded`;
    const component = registration.component;
    const result = this.call(component, kind === 'callback' ? 'handle-callback' : 'handle-message', message);
    if (!('value' in result)) return result.trapped ?? `the export returned err(${errText(result.returned)})`;
    if (kind !== 'request' || result.value === undefined) return null;
    const reply = result.value;
    const id = message.metadata.correlationId;
    if (reply.length > this.config.maxMessageBytes) {
      return `the reply of ${reply.length} bytes is over the message limit of ${this.config.maxMessageBytes} bytes; it was dropped, and request \`${id}\` will time out`;
    }
    return this.router.answer(id, component.id, reply);
  }

  /** HOST-3: `shutdown`, then removed whatever it answered. */
  unload(id) {
    const registration = this.registry.get(id);
    if (!registration) throw new Error(`no component \`${render(id)}\` is loaded`);
    const result = this.call(registration.component, 'shutdown');
    this.forget(id);
    if (result.mistyped) throw result.mistyped;
    if (!('value' in result)) {
      throw new Error(`component \`${render(id)}\` failed to shut down: ${result.trapped ?? errText(result.returned)}`);
    }
  }

  forget(id) {
    this.registry.remove(id);
    this.router.forget(id);
  }
}

/** A component's execution budget per call, for `sleep-millis` (SVC-4.1). */
function callBudget(budgetMs) {
  let started = performance.now();
  return {
    budgetMs,
    start() {
      started = performance.now();
    },
    save: () => started,
    restore(at) {
      started = at;
    },
    remainingMs: () => budgetMs - (performance.now() - started),
  };
}

/**
 * A component for asking what the host registers without loading one: its
 * functions are never called.
 */
function placeholder() {
  const id = { namespace: 'airssys-js-check', name: 'check', instance: '0' };
  return {
    id,
    guard: new Guard(id, { everything: true }, DEFAULTS, new AuditLog(1)),
    call: callBudget(DEFAULTS.executionBudgetMs),
  };
}
