// Deliberately broken variants of the JS host: each breaks one thing, so
// the suite must fail exactly that thing's trials (conformance/tests/self_checks/js_hosts.rs).

const STORAGE = 'airssys:core/storage@1.0.0';
const MESSAGING = 'airssys:core/host-messaging@1.0.0';
const SERVICES = 'airssys:core/host-services@1.0.0';

export const broken = {
  'missing-usage': {
    what: '`storage#usage` is not registered',
    registration(functions) {
      delete functions[STORAGE].usage;
      return functions;
    },
  },
  'bare-instance': {
    what: 'host-services is registered as `host-services`, without its package and version',
    registration(functions) {
      functions['host-services'] = functions[SERVICES];
      delete functions[SERVICES];
      return functions;
    },
  },
  'self-id-as-text': {
    what: '`self-id` returns the id as `namespace/name/instance` text where the WIT has a record',
    registration(functions) {
      const selfId = functions[MESSAGING]['self-id'];
      functions[MESSAGING]['self-id'] = () => {
        const id = selfId();
        return `${id.namespace}/${id.name}/${id.instance}`;
      };
      return functions;
    },
  },
  'get-value-as-text': {
    what: "`get` answers a present key's value as text, `ok(some(\"v\"))` where the WIT has `list<u8>`; `none` and the errors are right",
    registration(functions) {
      const get = functions[STORAGE].get;
      functions[STORAGE].get = (key) => {
        const got = get(key);
        return got.tag === 'ok' && got.val !== undefined ? { tag: 'ok', val: new TextDecoder().decode(got.val) } : got;
      };
      return functions;
    },
  },
  'empty-value-is-none': {
    what: '`get` answers `none` for a key whose value is empty',
    registration(functions) {
      const get = functions[STORAGE].get;
      functions[STORAGE].get = (key) => {
        const got = get(key);
        return got.tag === 'ok' && got.val?.length === 0 ? { tag: 'ok', val: undefined } : got;
      };
      return functions;
    },
  },
  'send-drops-last-byte': {
    what: '`send` delivers the payload without its last byte',
    registration(functions) {
      const send = functions[MESSAGING].send;
      functions[MESSAGING].send = (target, payload) => send(target, payload.subarray(0, Math.max(0, payload.length - 1)));
      return functions;
    },
  },
  'time-two-seconds-late': {
    what: '`current-time` is two seconds behind the clock',
    registration(functions) {
      const time = functions[SERVICES]['current-time'];
      functions[SERVICES]['current-time'] = () => {
        const t = time();
        return { seconds: t.seconds - 2n, nanoseconds: t.nanoseconds };
      };
      return functions;
    },
  },
};
