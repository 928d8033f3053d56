// The adapter protocol, version 1.4 (docs/adapter-protocol.md), over stdin
// and stdout: one JSON request per line in, one answer per line out.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { importsOf } from './components.mjs';
import { Host } from './host.mjs';

export const PROTOCOL = 1;
// 1: `check` names what it refuses (`unsatisfied`); 2: so does any call
// stopped by an answer of another type than the import's (`other_type`); 3:
// `invoke` carries the message's sender, correlation id, reply-to and export,
// and `metadata` and `health` call those exports (`supports.lifecycle`); 4:
// `check` may ask for exact names (`supports.exact_names`).
export const MINOR = 4;
const SUITE = { namespace: 'airssys-conformance', name: 'suite', instance: '0' };
const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const JCO = JSON.parse(
  readFileSync(new URL('../node_modules/@bytecodealliance/jco-transpile/package.json', import.meta.url), 'utf8'),
).version;

const bytes = (base64) => new Uint8Array(Buffer.from(base64, 'base64'));
const base64 = (data) => (data === undefined ? null : Buffer.from(data).toString('base64'));

/**
 * Serves the suite. `name` and `registration` say which host: the JS host
 * itself, or one of its broken variants.
 */
export async function serve({ name, registration }) {
  const state = { host: null, dir: null, traps: [], checker: null };
  const about = {
    adapter: 'airssys-js-adapter',
    version: PACKAGE.version,
    host: `${name} (Node ${process.versions.node}, jco-transpile ${JCO})`,
    wasmtime: 'none: Node.js WebAssembly',
    supports: { load: true, runtime: true, traps: true, grants: true, lifecycle: true, exact_names: true },
  };
  const start = (logs) => {
    state.host = new Host(state.dir, { logs, registration, traps: state.traps });
  };
  const fresh = () => {
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
    state.dir = mkdtempSync(join(tmpdir(), 'airssys-js-host-'));
  };
  process.on('exit', () => {
    for (const dir of [state.dir, state.checker?.storage.dir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const handlers = {
    hello: () => ({ answer: 'hello', protocol: PROTOCOL, minor: MINOR, ...about }),
    // Only what is not provided is refused: like jco, this host types its
    // functions when they are called, not when it links. Each answer is
    // checked against the type the calling component imports the function
    // with (`typed` in host.mjs), and a call it stops is refused naming the
    // import in `other_type`, so the suite judges signatures by calls.
    // This host looks each import up under exactly its name (`missing` in
    // host.mjs), never by semver, so a check with `exact_names` (protocol
    // 1.4) is this same check: it never links a name only by its track.
    check: async ({ component }) => {
      const imports = await importsOf(component);
      // A host of its own, never reset, only asked what it registers.
      state.checker ??= new Host(mkdtempSync(join(tmpdir(), 'airssys-js-check-')), { registration });
      const missing = state.checker.missing(imports);
      if (missing.length > 0) {
        return {
          answer: 'refused',
          reason: `the host does not provide ${missing.join(', ')}`,
          unsatisfied: { missing },
        };
      }
      return { answer: 'ok' };
    },
    reset: ({ traps = [] }) => {
      fresh();
      state.traps = traps;
      start();
      return { answer: 'ok' };
    },
    load: async ({ id, component, grant, budget_ms: budgetMs }) => {
      await host(state).load(id, component, grant, budgetMs);
      return { answer: 'ok' };
    },
    invoke: ({ id, payload, content_type: contentType, sender, correlation_id: correlationId, reply_to: replyTo, export: exportName }) => ({
      answer: 'reply',
      payload: base64(
        host(state).invoke(id, sender ?? SUITE, bytes(payload), contentType, { correlationId, replyTo, exportName }),
      ),
    }),
    metadata: ({ id }) => {
      const metadata = host(state).describe(id, 'metadata');
      return {
        answer: 'metadata',
        name: metadata.name,
        version: metadata.version,
        description: metadata.description,
        author: metadata.author,
        license: metadata.license,
        supported_operations: metadata.supportedOperations,
        stateful: metadata.stateful,
      };
    },
    health: ({ id }) => ({ answer: 'health', status: host(state).describe(id, 'health') }),
    settle: ({ limit_ms: limitMs }) => {
      const { problems, dropped } = host(state).settle(limitMs);
      for (const problem of problems) console.error(`delivery problem: ${problem}`);
      if (dropped > 0) console.error(`and ${dropped} more delivery problems`);
      return { answer: 'ok' };
    },
    logs: () => ({
      answer: 'logs',
      records: host(state).logs.records.map((r) => ({
        component: r.component,
        level: r.level,
        message: r.message,
        context: r.context,
      })),
    }),
    unload: ({ id }) => {
      host(state).unload(id);
      return { answer: 'ok' };
    },
    restart: () => {
      start(host(state).logs);
      return { answer: 'ok' };
    },
  };

  // stdout carries protocol lines only: everything else goes to stderr.
  const out = process.stdout.write.bind(process.stdout);
  console.log = console.error;
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let answer;
    let request;
    try {
      request = JSON.parse(line);
    } catch (error) {
      request = null;
      answer = { answer: 'error', message: `cannot read the request ${JSON.stringify(line)}: ${error.message}` };
    }
    if (request !== null) {
      const handler = handlers[request?.op];
      try {
        answer = handler
          ? await handler(request)
          : { answer: 'error', message: `cannot read the request ${JSON.stringify(line)}: unknown op` };
      } catch (error) {
        answer = { answer: 'refused', reason: error instanceof Error ? error.message : String(error) };
        if (error?.unsatisfied) answer.unsatisfied = error.unsatisfied;
        if (error?.returnedErr !== undefined) answer.err = error.returnedErr;
      }
    }
    out(JSON.stringify(answer) + '\n');
  }
}

function host(state) {
  if (!state.host) throw new Error('no `reset` succeeded yet: there is no started host');
  return state.host;
}

