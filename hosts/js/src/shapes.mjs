// Types for a host whose functions are untyped (JavaScript): the types a
// component imports each function with, read from its text form, and why an
// answer of a host function is not of that type, in WIT words. jco checks a
// value only as it lowers it into the guest, in its own words or not at all
// (a string where a `list<u8>` is due is lowered as something); the host
// checks each answer first (`typed` in host.mjs), so that the call stops
// there, naming the import, and the host's answer, not the component, is
// what the refusal speaks of.

/**
 * The s-expressions of `text`: strings stay quoted, `(;…;)` comments go,
 * and a quoted identifier (`$"#type6 component-id"`) is one token.
 */
export function parse(text) {
  const stack = [[]];
  const quoted = (at) => {
    let end = at + 1;
    while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
    return end;
  };
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '(' && text[i + 1] === ';') {
      i = text.indexOf(';)', i + 2) + 1;
    } else if (c === '(') {
      stack.push([]);
    } else if (c === ')') {
      const done = stack.pop();
      stack[stack.length - 1].push(done);
    } else if (c === '"' || (c === '$' && text[i + 1] === '"')) {
      const end = quoted(c === '$' ? i + 1 : i);
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
const PRIMITIVES = new Set([
  'bool', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64',
  'f32', 'f64', 'float32', 'float64', 'char', 'string', 'error-context',
]);
/** A type this host does not read (a resource, say): any answer fits it. */
const OPAQUE = Object.freeze({ opaque: true });

/**
 * A scope of type indices: a component's, or an instance type's inside it.
 * Entries: `{def}` (a type written out), `{eq, name}` (an exported type),
 * `{outer, count}` (`alias outer`), `{export, of}` (a component's alias of
 * an instance's exported type), or `OPAQUE`.
 */
class Scope {
  constructor(outer = null) {
    this.outer = outer;
    this.entries = new Map();
    this.named = new Map();
  }

  set(index, id, entry) {
    this.entries.set(String(index), entry);
    if (id) this.named.set(id, String(index));
  }

  get(ref) {
    const index = typeof ref === 'string' && ref.startsWith('$') ? this.named.get(ref) : String(ref);
    return this.entries.get(index) ?? OPAQUE;
  }

  up(count) {
    let scope = this;
    for (let i = 0; i < count && scope; i += 1) scope = scope.outer;
    return scope;
  }
}

/** An instance type (`(instance …)` as parsed) as a scope, and its functions by name. */
function instanceScope(instance, outer) {
  const scope = new Scope(outer);
  scope.exported = new Map();
  scope.functions = new Map();
  let count = 0;
  for (const decl of instance.slice(1)) {
    if (!Array.isArray(decl)) continue;
    if (decl[0] === 'type') {
      const id = decl[1]?.startsWith?.('$') ? decl[1] : null;
      scope.set(count, id, { def: id ? decl[2] : decl[1] });
      count += 1;
    } else if (decl[0] === 'alias') {
      // `(alias outer 1 $t (type))`: a type of the enclosing component.
      const sort = decl[decl.length - 1];
      if (!Array.isArray(sort) || sort[0] !== 'type') continue;
      const id = sort[1]?.startsWith?.('$') ? sort[1] : null;
      scope.set(count, id, decl[1] === 'outer' ? { outer: decl[3], count: Number(decl[2]) } : OPAQUE);
      count += 1;
    } else if (decl[0] === 'export') {
      const name = unquote(decl.find((x) => typeof x === 'string' && x.startsWith('"')));
      const item = decl.find(Array.isArray);
      if (item?.[0] === 'type') {
        // `(type (eq N))` or `(type (sub resource))`: a new index either way.
        const eq = item.find((x) => Array.isArray(x) && x[0] === 'eq');
        scope.exported.set(name, String(count));
        scope.set(count, null, eq ? { eq: eq[1], name } : OPAQUE);
        count += 1;
      } else if (item?.[0] === 'func') {
        const ref = item.find((x) => Array.isArray(x) && x[0] === 'type')?.[1];
        scope.functions.set(name, ref ?? item);
      }
    }
  }
  return scope;
}

/**
 * The types of a component, read from its top-level forms in order (`add`),
 * and of the instances it imports: each function's parameter and result
 * types closed, with no index left in them (`imported`).
 */
export class ComponentTypes {
  constructor() {
    this.scope = new Scope();
    this.instances = new Map();
    this.scopes = new Map();
  }

  /** A top-level form, parsed, with the index wasm-tools printed on it. */
  add(form, index) {
    const id = (item) => (typeof item?.[1] === 'string' && item[1].startsWith('$') ? item[1] : null);
    if (form[0] === 'type') {
      const named = id(form);
      this.scope.set(index, named, { def: named ? form[2] : form[1] });
    } else if (form[0] === 'alias' && form[1] === 'export') {
      const sort = form[form.length - 1];
      if (!Array.isArray(sort) || sort[0] !== 'type') return;
      this.scope.set(index, id(sort), { export: unquote(form[3]), of: form[2] });
    } else if (form[0] === 'import') {
      const item = form.find(Array.isArray);
      if (item?.[0] === 'instance') {
        const type = item.find((x) => Array.isArray(x) && x[0] === 'type')?.[1];
        const entry = { type };
        this.instances.set(String(index), entry);
        if (id(item)) this.instances.set(id(item), entry);
      } else if (item?.[0] === 'type') {
        this.scope.set(index, id(item), OPAQUE);
      }
    }
  }

  /** The scope of the instance `ref` (a `$name` or an index), or `null`. */
  instance(ref) {
    const entry = this.instances.get(String(ref));
    if (!entry) return null;
    if (!this.scopes.has(entry)) {
      const def = this.scope.get(entry.type).def;
      this.scopes.set(entry, Array.isArray(def) && def[0] === 'instance' ? instanceScope(def, this.scope) : null);
    }
    return this.scopes.get(entry);
  }

  /** What the instance imported as `ref` exports: `{functions, types}`. */
  imported(ref) {
    const scope = this.instance(ref);
    if (!scope) return { functions: [], types: {} };
    const types = {};
    for (const [name, ref] of scope.functions) {
      const func = close(ref, scope, this);
      if (!Array.isArray(func) || func[0] !== 'func') continue;
      types[name] = { params: func[1], result: func[2] };
    }
    return { functions: [...scope.functions.keys()], types };
  }
}

/**
 * The type `ref` names in `scope`, closed: primitives as their names,
 * `['named', name, type]` for an exported type, the rest as written with
 * their parts closed (`['result', ok, err]`, `['record', [name, type]…]`,
 * `['variant', [name, type]…]`, `['func', params, result]`), and `OPAQUE`
 * for what is not read.
 */
function close(ref, scope, component, depth = 0) {
  if (depth > 64 || !scope) return OPAQUE;
  if (Array.isArray(ref)) return closeDef(ref, scope, component, depth);
  if (typeof ref !== 'string') return OPAQUE;
  if (PRIMITIVES.has(ref)) return ref;
  const entry = scope.get(ref);
  const again = (r, s) => close(r, s, component, depth + 1);
  if ('def' in entry) return typeof entry.def === 'string' ? again(entry.def, scope) : closeDef(entry.def, scope, component, depth);
  if ('outer' in entry) return again(entry.outer, scope.up(entry.count));
  if ('export' in entry) {
    const instance = component.instance(entry.of);
    const exported = instance?.exported.get(entry.export);
    return exported === undefined ? OPAQUE : again(exported, instance);
  }
  if ('eq' in entry) {
    const inner = again(entry.eq, scope);
    // The same type exported again under its own name is named once.
    return Array.isArray(inner) && inner[0] === 'named' && inner[1] === entry.name ? inner : ['named', entry.name, inner];
  }
  return OPAQUE;
}

function closeDef(def, scope, component, depth) {
  const c = (ref) => close(ref, scope, component, depth + 1);
  switch (def[0]) {
    case 'list':
    case 'option':
      return [def[0], c(def[1])];
    case 'tuple':
      return ['tuple', ...def.slice(1).map(c)];
    case 'result': {
      const ok = def.slice(1).find((x) => !Array.isArray(x) || x[0] !== 'error');
      const err = def.slice(1).find((x) => Array.isArray(x) && x[0] === 'error')?.[1];
      return ['result', ok === undefined ? null : c(ok), err === undefined ? null : c(err)];
    }
    case 'record':
      return ['record', ...def.slice(1).map((field) => [unquote(field[1]), c(field[2])])];
    case 'variant':
      return [
        'variant',
        ...def.slice(1).map((cs) => {
          const payload = cs.slice(2).find((x) => !Array.isArray(x) || x[0] !== 'refines');
          return [unquote(cs[1]), payload === undefined ? null : c(payload)];
        }),
      ];
    case 'enum':
    case 'flags':
      return [def[0], ...def.slice(1).map(unquote)];
    case 'func': {
      const params = def.filter((x) => Array.isArray(x) && x[0] === 'param').map((p) => c(p[2]));
      const result = def.find((x) => Array.isArray(x) && x[0] === 'result');
      return ['func', params, result ? c(result[1]) : null];
    }
    default:
      return OPAQUE;
  }
}

/** A closed type as the WIT writes it: `result<option<storage-value>, storage-error>`. */
export function witText(t) {
  if (typeof t === 'string') return t === 'float32' ? 'f32' : t === 'float64' ? 'f64' : t;
  if (!Array.isArray(t)) return 'a type this host does not read';
  switch (t[0]) {
    case 'named':
      return t[1];
    case 'list':
    case 'option':
      return `${t[0]}<${witText(t[1])}>`;
    case 'tuple':
      return `tuple<${t.slice(1).map(witText).join(', ')}>`;
    case 'result': {
      const [, ok, err] = t;
      if (ok === null && err === null) return 'result';
      if (err === null) return `result<${witText(ok)}>`;
      return `result<${ok === null ? '_' : witText(ok)}, ${witText(err)}>`;
    }
    case 'record':
      return `record { ${t.slice(1).map(([name, type]) => `${name}: ${witText(type)}`).join(', ')} }`;
    case 'variant':
      return `variant { ${t.slice(1).map(([name, type]) => (type === null ? name : `${name}(${witText(type)})`)).join(', ')} }`;
    case 'enum':
    case 'flags':
      return `${t[0]} { ${t.slice(1).join(', ')} }`;
    default:
      return 'a type this host does not read';
  }
}

/** What kind of type `t` is, for a reader: "`component-id` (a record)", "`list<u8>`". */
function kind(t) {
  if (!Array.isArray(t) || t[0] !== 'named') return `\`${witText(t)}\``;
  let inner = t[2];
  while (Array.isArray(inner) && inner[0] === 'named') inner = inner[2];
  const what = Array.isArray(inner)
    ? { record: 'a record', variant: 'a variant', enum: 'an enum', flags: 'flags' }[inner[0]] ?? `a \`${witText(inner)}\``
    : `a \`${witText(inner)}\``;
  return `\`${t[1]}\` (${what})`;
}

const INTEGERS = {
  u8: [0, 255], u16: [0, 65535], u32: [0, 4294967295],
  s8: [-128, 127], s16: [-32768, 32767], s32: [-2147483648, 2147483647],
};

/**
 * Where `value` is not of the closed type `t` as jco lowers it, or `null`
 * when it is: `{at, value, expected}`, `at` the place in WIT terms with `_`
 * for it (`ok(some(_))`). What jco itself converts (a number for a `u64`,
 * a bare value for `ok`, `null` for `none`) fits.
 */
export function misfit(value, t) {
  const here = { at: '_', value, expected: t };
  const inside = (template, found) =>
    found && { ...found, at: template.replace('_', found.at) };
  if (typeof t === 'string') {
    switch (t) {
      case 'bool':
        return typeof value === 'boolean' ? null : here;
      case 'string':
        return typeof value === 'string' ? null : here;
      case 'char':
        return typeof value === 'string' && [...value].length === 1 ? null : here;
      case 'u64':
      case 's64':
        return typeof value === 'bigint' || Number.isInteger(value) ? null : here;
      case 'f32':
      case 'f64':
      case 'float32':
      case 'float64':
        return typeof value === 'number' ? null : here;
      default:
        if (t in INTEGERS) {
          const [low, high] = INTEGERS[t];
          return Number.isInteger(value) && value >= low && value <= high ? null : here;
        }
        return null;
    }
  }
  if (!Array.isArray(t)) return null;
  switch (t[0]) {
    case 'named': {
      const found = misfit(value, t[2]);
      return found && found.at === '_' ? { ...found, expected: t } : found;
    }
    case 'list': {
      if (t[1] === 'u8' && value instanceof Uint8Array) return null;
      if (!Array.isArray(value)) return here;
      for (const [i, item] of value.entries()) {
        const found = misfit(item, t[1]);
        if (found) return inside(i === 0 ? '[_, …]' : `[…item ${i}: _, …]`, found);
      }
      return null;
    }
    case 'option':
      return value === undefined || value === null ? null : inside('some(_)', misfit(value, t[1]));
    case 'result': {
      const [, ok, err] = t;
      const tagged = value !== null && typeof value === 'object' && (value.tag === 'ok' || value.tag === 'err');
      const { tag, val } = tagged ? value : { tag: 'ok', val: value };
      const inner = tag === 'ok' ? ok : err;
      if (inner === null) return val === undefined ? null : inside(`${tag}(_)`, { at: '_', value: val, expected: null });
      return inside(`${tag}(_)`, misfit(val, inner));
    }
    case 'record': {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) return here;
      for (const [name, type] of t.slice(1)) {
        const found = misfit(value[camel(name)], type);
        if (found) return inside(`{${name}: _, …}`, found);
      }
      return null;
    }
    case 'variant': {
      const cases = new Map(t.slice(1));
      if (value === null || typeof value !== 'object' || !cases.has(value.tag)) return here;
      const payload = cases.get(value.tag);
      if (payload === null) {
        return value.val === undefined ? null : inside(`${value.tag}(_)`, { at: '_', value: value.val, expected: null });
      }
      return inside(`${value.tag}(_)`, misfit(value.val, payload));
    }
    case 'enum':
      return t.slice(1).includes(value) ? null : here;
    case 'tuple': {
      const items = t.slice(1);
      if (!Array.isArray(value) || value.length !== items.length) return here;
      for (const [i, item] of items.entries()) {
        const found = misfit(value[i], item);
        if (found) return inside(`(${items.map((_, j) => (j === i ? '_' : '…')).join(', ')})`, found);
      }
      return null;
    }
    default:
      return null;
  }
}

const camel = (kebab) => kebab.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());

/**
 * Why `value`, the answer of the function `name`, is not of the result type
 * `t` it is imported with, in WIT words; `null` when it is. E.g. "`self-id`
 * answered a string where the import's type is `component-id` (a record)".
 */
export function answerMismatch(name, value, t) {
  const found = misfit(value, t);
  if (!found) return null;
  const what = describe(found.value, found.expected);
  if (found.expected === null) {
    return `\`${name}\` answered ${what} at \`${found.at}\`, where the import's type \`${witText(t)}\` has no value`;
  }
  if (found.at === '_') return `\`${name}\` answered ${what} where the import's type is ${kind(found.expected)}`;
  return `\`${name}\` answered ${what} at \`${found.at}\`, where the import's type \`${witText(t)}\` has ${kind(found.expected)}`;
}

/** A JavaScript value in WIT words, as far as it goes. */
function describe(value, expected) {
  let inner = expected;
  while (Array.isArray(inner) && inner[0] === 'named') inner = inner[2];
  const literal = (Array.isArray(inner) && inner[0] === 'enum') || inner === 'char';
  if (value === undefined || value === null) return 'nothing';
  if (typeof value === 'boolean') return 'a bool';
  if (typeof value === 'string') return literal ? `the string ${JSON.stringify(value)}` : 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  if (typeof value === 'bigint') return `the integer ${value}`;
  if (value instanceof Uint8Array) return `a \`list<u8>\` of ${value.length} bytes`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object' && typeof value.tag === 'string') return `the case \`${value.tag}\``;
  if (typeof value === 'object') return 'a record';
  return `a JavaScript ${typeof value}`;
}
