'use strict';
// A seeded generator of JSON *text* (not JSON.stringify output): every value
// kind, escapes and raw UTF-8 (astral characters, lone-surrogate escapes),
// numbers at the edges of double precision and beyond (1e400), -0, duplicate
// and "__proto__" keys, deep nesting and whitespace variants. The text is
// what matters: hookwise must read it exactly as JSON.parse does.

// mulberry32: small, fast, good enough for test inputs.
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

const WHITESPACE = ['', '', '', ' ', '  ', '\n', '\n  ', '\t', '\r\n', ' \n\t '];

const NUMBERS = [
  '0', '-0', '1', '-1', '42', '1686089970', '-0.0', '0.1', '0.30000000000000004', '1e3', '1E3',
  '1e+3', '1e-3', '-1.5e-7', '123.456e7', '9007199254740991', '9007199254740992', '9007199254740993',
  '-9007199254740993', '18446744073709551615', '18446744073709551616', '123456789012345678901234567890',
  '1.7976931348623157e308', '1.7976931348623158e308', '2.2250738585072014e-308', '4.9e-324', '5e-324',
  '2e-324', '1e-400', '1e308', '0e0', '0.0000000000000000000000000001',
  '3.141592653589793238462643383279', '0.1e1', '-123456789.987654321',
];
// Tokens JSON.parse accepts and simdjson does not (the native side must fall
// back): rarer, so that most documents still exercise the native path.
const RARE_NUMBERS = ['1e400', '-1e400', '18446744073709551616', '100000000000000000000000000000000000000000000000000'];
const RARE_ESCAPES = ['\\ud800', '\\udfff', '\\udc00\\ud800', '\\ud800x', '\\uDBFF'];

// Raw characters (emitted as UTF-8 in the text) and escape sequences.
const RAW_CHARS = [
  'a', 'Z', ' ', '~', '/', 'é', 'ü', 'ß', '€', '中', '文', '\u2028', '\u2029', '\u00a0', '\ufeff',
  '\ufffd', '😀', '🎉', '𝄞', '\u{10ffff}', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff',
];
const ESCAPES = [
  '\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t', '\\u0041', '\\u00e9', '\\u20ac',
  '\\ud83d\\ude00', '\\uD834\\uDD1E', '\\u0000',
  '\\u001f', '\\uFEFF', '\\u2028',
];
const KEYS = [
  'id', 'object', 'type', 'data', 'created', 'livemode', 'api_version', 'request', 'account',
  'pending_webhooks', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '0', '1', '10',
  '4294967294', '4294967295', '-1', '01', '1.5', '', ' ', 'é', '😀', 'a\\u0062c', 'i\\u0064', 'k',
  'key with spaces', 'previous_attributes',
];

function randomString(r) {
  let s = '"';
  const n = r.chance(0.2) ? 0 : r.int(r.chance(0.1) ? 60 : 12);
  for (let i = 0; i < n; i++) {
    const u = r.next();
    if (u < 0.6) s += String.fromCharCode(97 + r.int(26));
    else if (u < 0.8) s += r.pick(RAW_CHARS);
    else if (u < 0.999) s += r.pick(ESCAPES);
    else s += r.pick(RARE_ESCAPES);
  }
  return `${s}"`;
}

function ws(r) {
  return r.pick(WHITESPACE);
}

function randomValue(r, depth) {
  const u = r.next();
  if (depth > 6 || u < 0.45) {
    const k = r.int(6);
    if (k === 0) return randomString(r);
    if (k === 1) return r.chance(0.004) ? r.pick(RARE_NUMBERS) : r.pick(NUMBERS);
    if (k === 2) return String(r.int(2 ** 31) * (r.chance(0.5) ? 1 : -1));
    if (k === 3) return r.pick(['true', 'false', 'null']);
    if (k === 4) return randomString(r);
    return String(r.next() * 10 ** r.int(19) * (r.chance(0.2) ? 1e-9 : 1));
  }
  if (u < 0.75) return randomObject(r, depth + 1, r.int(6));
  const n = r.int(5);
  const items = [];
  for (let i = 0; i < n; i++) items.push(ws(r) + randomValue(r, depth + 1) + ws(r));
  return `[${items.join(',') || ws(r)}]`;
}

function randomObject(r, depth, members) {
  const parts = [];
  for (let i = 0; i < members; i++) {
    const key = r.chance(0.5) ? `"${r.pick(KEYS)}"` : randomString(r);
    parts.push(`${ws(r)}${key}${ws(r)}:${ws(r)}${randomValue(r, depth)}${ws(r)}`);
    // Duplicate keys: JSON.parse keeps the first position and the last value.
    if (r.chance(0.05) && parts.length) parts.push(parts[r.int(parts.length)].replace(/:.*$/s, `: ${randomValue(r, depth)}`));
  }
  return `{${parts.join(',') || ws(r)}}`;
}

function deepNesting(r) {
  const depth = r.pick([10, 500, 1023, 1024, 1025, 2000, 5000]);
  const open = r.chance(0.5) ? '[' : '{"a":';
  const close = open === '[' ? ']' : '}';
  return `{"id":"evt_deep","data":${open.repeat(depth)}1${close.repeat(depth)}}`;
}

// An event-shaped top-level object (the common case, with a big `data` that
// the JS layer materialises lazily) or any other JSON text.
function randomDocument(r) {
  const u = r.next();
  if (u < 0.02) return deepNesting(r);
  if (u < 0.1) return ws(r) + randomValue(r, 0) + ws(r);
  const members = [];
  const keys = ['id', 'object', 'api_version', 'created', 'data', 'livemode', 'pending_webhooks', 'request', 'type'];
  for (const key of keys) {
    if (r.chance(0.1)) continue;
    let value;
    if (key === 'data') value = randomObject(r, 1, 2 + r.int(8));
    else if (key === 'request') value = r.chance(0.5) ? '{"id":null,"idempotency_key":null}' : randomValue(r, 3);
    else value = randomValue(r, 5);
    members.push(`${ws(r)}"${key}"${ws(r)}:${ws(r)}${value}${ws(r)}`);
    if (r.chance(0.08)) members.push(`${ws(r)}${randomString(r)}:${randomValue(r, 2)}`);
  }
  if (r.chance(0.05)) members.splice(r.int(members.length + 1), 0, `"${r.pick(KEYS)}":${randomValue(r, 2)}`);
  return `${ws(r)}{${members.join(',')}}${ws(r)}`;
}

module.exports = { rng, randomDocument, randomValue };
