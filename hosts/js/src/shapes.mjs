// Signatures for a host whose functions are untyped (JavaScript): the types
// a component imports, read from its text form, and whether a value a host
// function returned has the shape of its WIT result type. jco checks shapes
// only when it lowers a value into a guest, at the call; the adapter's
// `check` calls each imported function once instead, so that a function
// returning the wrong shape fails its signature trial, not every behaviour
// trial that calls it.

/** The s-expressions of `text`: strings stay quoted, `(;…;)` comments go. */
export function parse(text) {
  const stack = [[]];
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '(' && text[i + 1] === ';') {
      i = text.indexOf(';)', i + 2) + 1;
    } else if (c === '(') {
      stack.push([]);
    } else if (c === ')') {
      const done = stack.pop();
      stack[stack.length - 1].push(done);
    } else if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      stack[stack.length - 1].push(text.slice(i, end + 1));
      i = end;
    } else if (!/\s/.test(c)) {
      let end = i;
      while (end < text.length && !/[\s()"]/.test(text[end])) end += 1;
      stack[stack.length - 1].push(text.slice(i, end));
      i = end - 1;
    }
  }
  return stack[0];
}

const unquote = (s) => JSON.parse(s);

/**
 * An instance type's function signatures, by name: `(instance …)` as parsed.
 * Types and exported types share one index space, in order; a `$name`
 * refers to its type as well.
 */
export function signatures(instance) {
  const types = [];
  const named = new Map();
  const functions = new Map();
  for (const decl of instance.slice(1)) {
    if (!Array.isArray(decl)) continue;
    if (decl[0] === 'type') {
      const [id, definition] = decl[1]?.startsWith?.('$') ? [decl[1], decl[2]] : [null, decl[1]];
      if (id) named.set(id, types.length);
      types.push(definition);
    } else if (decl[0] === 'alias') {
      // `(alias outer 1 $t (type (;N;)))`: a type of the enclosing component,
      // which takes an index here; its shape is not read (it is accepted).
      const sort = decl[decl.length - 1];
      if (Array.isArray(sort) && sort[0] === 'type') types.push({ opaque: true });
    } else if (decl[0] === 'export') {
      const name = unquote(decl.find((x) => typeof x === 'string' && x.startsWith('"')));
      const item = decl.find(Array.isArray);
      if (item?.[0] === 'type') {
        // `(type (eq N))` or `(type (sub resource))`: a new index either way.
        const eq = item.find((x) => Array.isArray(x) && x[0] === 'eq');
        types.push(eq ? { ref: eq[1] } : { opaque: true });
      } else if (item?.[0] === 'func') {
        const ref = item.find((x) => Array.isArray(x) && x[0] === 'type')?.[1];
        functions.set(name, { ref });
      }
    }
  }
  const resolve = (ref, depth = 0) => {
    if (depth > 64) return { opaque: true };
    const index = typeof ref === 'string' && ref.startsWith('$') ? named.get(ref) : Number(ref);
    const t = types[index];
    if (t && !Array.isArray(t) && 'ref' in t) return resolve(t.ref, depth + 1);
    return t ?? { opaque: true };
  };
  const result = new Map();
  for (const [name, { ref }] of functions) {
    const func = resolve(ref);
    if (!Array.isArray(func) || func[0] !== 'func') continue;
    const params = func.filter((x) => Array.isArray(x) && x[0] === 'param').map((p) => p[2]);
    const results = func.find((x) => Array.isArray(x) && x[0] === 'result');
    result.set(name, { params, result: results ? results[1] : null, resolve });
  }
  return result;
}

const camel = (kebab) => kebab.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const INTEGERS = { u8: [0, 255], u16: [0, 65535], u32: [0, 4294967295], s8: [-128, 127], s16: [-32768, 32767], s32: [-2147483648, 2147483647] };

/**
 * Why `value` is not of type `t` as jco lowers it, or `null` when it is.
 * What jco itself converts (a number for a `u64`) is accepted.
 */
export function mismatch(value, t, resolve, at = 'the result') {
  if (typeof t === 'string' && !t.startsWith('$') && !/^\d+$/.test(t)) {
    if (t === 'bool') return typeof value === 'boolean' ? null : `${at} is ${describe(value)}, not a bool`;
    if (t === 'string' || t === 'char') return typeof value === 'string' ? null : `${at} is ${describe(value)}, not a ${t}`;
    if (t === 'u64' || t === 's64') {
      return typeof value === 'bigint' || Number.isInteger(value) ? null : `${at} is ${describe(value)}, not a ${t}`;
    }
    if (t in INTEGERS) {
      const [low, high] = INTEGERS[t];
      return Number.isInteger(value) && value >= low && value <= high ? null : `${at} is ${describe(value)}, not a ${t}`;
    }
    if (t === 'f32' || t === 'f64') return typeof value === 'number' ? null : `${at} is ${describe(value)}, not a ${t}`;
    return null;
  }
  const type = typeof t === 'string' ? resolve(t) : t;
  if (!Array.isArray(type)) return null;
  switch (type[0]) {
    case 'list': {
      if (type[1] === 'u8' && value instanceof Uint8Array) return null;
      if (!Array.isArray(value)) return `${at} is ${describe(value)}, not a list`;
      for (const [i, item] of value.entries()) {
        const wrong = mismatch(item, type[1], resolve, `${at}[${i}]`);
        if (wrong) return wrong;
      }
      return null;
    }
    case 'option':
      return value === undefined || value === null ? null : mismatch(value, type[1], resolve, at);
    case 'result': {
      const ok = type.slice(1).find((x) => !Array.isArray(x) || x[0] !== 'error');
      const err = type.slice(1).find((x) => Array.isArray(x) && x[0] === 'error')?.[1];
      const tagged = value !== null && typeof value === 'object' && (value.tag === 'ok' || value.tag === 'err');
      const { tag, val } = tagged ? value : { tag: 'ok', val: value };
      const inner = tag === 'ok' ? ok : err;
      if (inner === undefined) return val === undefined ? null : `${at}'s ${tag} is ${describe(val)}, where the WIT has none`;
      return mismatch(val, inner, resolve, `${at}'s ${tag}`);
    }
    case 'record': {
      if (value === null || typeof value !== 'object') return `${at} is ${describe(value)}, not a record`;
      for (const field of type.slice(1)) {
        const name = unquote(field[1]);
        const wrong = mismatch(value[camel(name)], field[2], resolve, `${at}.${camel(name)}`);
        if (wrong) return wrong;
      }
      return null;
    }
    case 'variant': {
      const cases = new Map(type.slice(1).map((c) => [unquote(c[1]), c[2]]));
      if (value === null || typeof value !== 'object' || !cases.has(value.tag)) {
        return `${at} is ${describe(value)}, not one of the cases ${[...cases.keys()].join(', ')}`;
      }
      const payload = cases.get(value.tag);
      return payload === undefined ? null : mismatch(value.val, payload, resolve, `${at}.val`);
    }
    case 'enum': {
      const names = type.slice(1).map(unquote);
      return names.includes(value) ? null : `${at} is ${describe(value)}, not one of ${names.join(', ')}`;
    }
    case 'tuple': {
      const items = type.slice(1);
      if (!Array.isArray(value) || value.length !== items.length) return `${at} is ${describe(value)}, not a tuple of ${items.length}`;
      for (const [i, item] of items.entries()) {
        const wrong = mismatch(value[i], item, resolve, `${at}[${i}]`);
        if (wrong) return wrong;
      }
      return null;
    }
    default:
      return null;
  }
}

/** A value of type `t` to call a function with. */
export function sample(t, resolve) {
  if (typeof t === 'string' && !t.startsWith('$') && !/^\d+$/.test(t)) {
    if (t === 'bool') return false;
    if (t === 'string') return 'airssys-js-check';
    if (t === 'char') return 'a';
    if (t === 'u64' || t === 's64') return 0n;
    return 0;
  }
  const type = typeof t === 'string' ? resolve(t) : t;
  if (!Array.isArray(type)) return undefined;
  switch (type[0]) {
    case 'list':
      return type[1] === 'u8' ? new Uint8Array() : [];
    case 'option':
      return undefined;
    case 'record':
      return Object.fromEntries(type.slice(1).map((f) => [camel(unquote(f[1])), sample(f[2], resolve)]));
    case 'variant': {
      const first = type[1];
      return first[2] === undefined ? { tag: unquote(first[1]) } : { tag: unquote(first[1]), val: sample(first[2], resolve) };
    }
    case 'enum':
      return unquote(type[1]);
    case 'tuple':
      return type.slice(1).map((item) => sample(item, resolve));
    default:
      return undefined;
  }
}

function describe(value) {
  if (value === undefined) return 'nothing';
  if (typeof value === 'bigint') return `the BigInt ${value}`;
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object with ${Object.keys(value).join(', ') || 'no keys'}`;
  return `the ${typeof value} ${JSON.stringify(value)}`;
}
