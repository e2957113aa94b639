'use strict';
// The native engine's verify + parse in one native call, and the event built
// from what the native envelope parser found (src/core/event_envelope.h):
//
//   parse(p, withEnvelope)        (p: lib/verify.js's prepareVerification)
//     -> { event, envelope } or, without envelope, the event  (throws as constructEvent does)
//   parseAsync(p, withEnvelope) -> a Promise of the same
//
// `event` is what constructEvent returns: a plain object deepStrictEqual to
// JSON.parse of the payload's text (API.md section 1), whose big top-level
// members (in practice `data`) are materialised from their text span on first
// read. `envelope` is lib-internal and never attached to the event:
//   { id, type, created, livemode, apiVersion, account, object,
//     objectId, objectType, native }
// where id/type/created/livemode/object are the event's own top-level values
// (undefined when absent), apiVersion = event.api_version, account =
// event.account, objectId/objectType = data.object.id / data.object.object
// (undefined when absent; reading them never materialises `data` unless the
// native side could not read them exactly), and native is true when the
// simdjson path built the event (false: the JSON.parse fallback did).
const { Buffer, isAscii } = require('node:buffer');
const { inspect } = require('node:util');
const native = require('../../native');
const { decodedPayload, checkVerifyCode } = require('../../verify');
const { ASYNC_OFFLOAD_BYTES, codeOf } = require('./status');
const { envelopeOf, dataObjectField } = require('../../envelope-shape');

// An addon built from other sources than this lib (a stale build/ next to a newer
// checkout) would give undefined slots and silently wrong events: refuse it.
function checkedLayout(given) {
  const groups = ['header', 'member', 'flags', 'jsLength', 'kinds'];
  const ok = given && Number.isInteger(given.outSize) && Number.isInteger(given.parsed) && Array.isArray(given.knownKeys) &&
    groups.every((group) => given[group] && typeof given[group] === 'object');
  if (!ok) throw new Error('hookwise: the native addon does not match this version of lib/ (rebuild it: npm run build:addon)');
  return given;
}

// Every slot index, flag, kind and sentinel comes from the addon
// (src/addon/envelope_layout.h), the one place they are defined.
const layout = checkedLayout(native.envelopeLayout);
const KEYS = layout.knownKeys;
const PADDING = layout.padding;
const HEADER = layout.header.size;
const SLOTS = layout.member.size;
const { status: STATUS, memberCount: MEMBER_COUNT, bodyIsAscii: BODY_IS_ASCII } = layout.header;
const { objectIdKind: ID_KIND, objectIdKnown: ID_KNOWN, objectTypeKind: TYPE_KIND, objectTypeKnown: TYPE_KNOWN } = layout.header;
// By nested field index: 0 = data.object.id, 1 = data.object.object (strings[0], strings[1]).
const NESTED_KIND = [ID_KIND, TYPE_KIND];
const NESTED_KNOWN = [ID_KNOWN, TYPE_KNOWN];
const { keyCode: KEY_CODE, keyBegin: KEY_BEGIN, keyEnd: KEY_END, kind: KIND } = layout.member;
const { valueBegin: VALUE_BEGIN, valueEnd: VALUE_END, flags: FLAGS, number: NUMBER_VALUE } = layout.member;
const PARSED = layout.parsed;
const { none: NONE, string: STRING, number: NUMBER, true: TRUE, false: FALSE, null: NULL, object: OBJECT, array: ARRAY } = layout.kinds;
const { valueHasEscape: FLAG_ESCAPE, numberIsExact: FLAG_EXACT_NUMBER } = layout.flags;
const { keyNotAscii: FLAG_KEY_NOT_ASCII, valueNotAscii: FLAG_VALUE_NOT_ASCII } = layout.flags;
const { snapshotBytes: SNAPSHOT_BYTES, decodedBytes: DECODED_BYTES } = layout.jsLength;
// Byte payloads up to this size need no snapshot buffer before the native
// call: they become one latin1 string afterwards (ByteText below; one decode
// instead of a copy plus one per field; the string is as immutable as a
// snapshot).
const DECODE_WHOLE_MAX_BYTES = 8 * 1024;
const latin1Slice = Buffer.prototype.latin1Slice;

// Containers at least this long are materialised on first read; smaller ones
// are cheaper to parse at once than to wrap in an accessor.
const LAZY_MIN_BYTES = 256;

// One output array for the synchronous calls (they cannot interleave on one
// thread); async calls get their own.
const syncOut = new Float64Array(layout.outSize);
const syncStrings = [undefined, undefined];

// A small byte payload after the call: its bytes as one latin1 string (one
// char per byte, so the native side's byte offsets are its indices). It is as
// immutable as a copy of the bytes, but lives on V8's young heap: no
// ArrayBuffer to allocate, track and sweep per delivery, which at 2 KB cost
// more than the rest of the event's construction. Spans the native side marks
// ASCII are sliced as they are; others are decoded from UTF-8 when read.
class ByteText {
  constructor(bytes) {
    this.bytes = bytes;
  }
}

function utf8OfLatin1(bytes) {
  return Buffer.from(bytes, 'latin1').utf8Slice();
}

// A text slice of the source: string indices for a string payload (or an
// ASCII body decoded whole), byte offsets for a ByteText or a snapshot Buffer
// (always whole UTF-8 sequences: simdjson validated them). `ascii` says the
// bytes are known to be ASCII.
function sliceOf(source, begin, end, ascii) {
  if (typeof source === 'string') return source.slice(begin, end);
  if (source instanceof ByteText) return ascii ? source.bytes.slice(begin, end) : utf8OfLatin1(source.bytes.slice(begin, end));
  return ascii ? source.latin1Slice(begin, end) : source.utf8Slice(begin, end);
}

// A big member's text, read once when the member is first read.
function textOf(source, begin, end) {
  if (typeof source === 'string') return source.slice(begin, end);
  if (source instanceof ByteText) return utf8OfLatin1(source.bytes.slice(begin, end));
  return isAscii(source.subarray(begin, end)) ? source.asciiSlice(begin, end) : source.utf8Slice(begin, end);
}

function defineValue(target, key, value) {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

// An own, enumerable, configurable accessor that turns itself into a plain
// data property on first read (or write): API.md's only allowed difference.
// If the event was frozen or sealed first, the accessor can no longer be
// replaced; it then keeps returning the one value it parsed.
//
// Why shared accessors and a state property, not a closure per event: V8 keeps
// an accessor's getter and setter in the object's hidden class, so a fresh
// pair per event gives every event its own hidden class (about 3.5 µs at 2 KB,
// more than the rest of constructEvent). One pair per member name keeps one
// shape for every event; each event's texts sit in a non-enumerable symbol
// property that JSON, Object.keys, spread and deepStrictEqual do not see.
const LAZY = Symbol('hookwise.lazyMembers');
const LAZY_ACCESSORS_MAX = 64; // member names with a shared pair (others get their own)
const lazyAccessors = new Map();

function materialize(target, key) {
  const member = target[LAZY][key];
  if (member.source !== null) {
    member.value = JSON.parse(textOf(member.source, member.begin, member.end));
    member.source = null; // the text is no longer needed once parsed
  }
  if (Object.getOwnPropertyDescriptor(target, key)?.configurable) defineValue(target, key, member.value);
  return member.value;
}

function lazyDescriptor(key) {
  let descriptor = lazyAccessors.get(key);
  if (descriptor === undefined) {
    descriptor = {
      get() {
        return materialize(this, key);
      },
      set(value) {
        defineValue(this, key, value);
      },
      enumerable: true,
      configurable: true,
    };
    if (lazyAccessors.size < LAZY_ACCESSORS_MAX) lazyAccessors.set(key, descriptor);
  }
  return descriptor;
}

function defineLazy(target, lazy, key, source, begin, end) {
  lazy[key] = { source, begin, end, value: undefined };
  Object.defineProperty(target, key, lazyDescriptor(key));
}

// The lazy members' texts and the inspect hook, both non-enumerable symbols;
// inspectEvent removes both once it has read every member.
function defineLazyState(event, lazy) {
  Object.defineProperty(event, LAZY, { value: lazy, configurable: true, writable: false, enumerable: false });
  Object.defineProperty(event, inspect.custom, { value: inspectEvent, configurable: true, writable: true });
}

// console.log(event) prints what it prints for JSON.parse's result: reading
// every member materialises the lazy ones, and removing this hook and the
// state leaves nothing for util.inspect to show but what JSON.parse would
// have built (even with showHidden, as console.log's %o uses).
function inspectEvent() {
  const keys = Object.keys(this);
  for (const key of keys) void this[key];
  if (Reflect.deleteProperty(this, inspect.custom) && Reflect.deleteProperty(this, LAZY)) return this;
  // Frozen or sealed before it was read: its accessors cannot become data
  // properties, so show a plain copy (what JSON.parse would have built).
  const copy = {};
  for (const key of keys) defineValue(copy, key, this[key]);
  return copy;
}

// Builds the event from `out` and `source` (the string payload, or the
// snapshot of a bytes payload), or returns null when the native side fell back.
function buildEvent(source, out) {
  if (out[STATUS] !== PARSED) return null;
  const count = out[MEMBER_COUNT];
  const event = {};
  let lazy = null;
  for (let i = 0; i < count; i++) {
    const slot = HEADER + SLOTS * i;
    const code = out[slot + KEY_CODE];
    const flags = out[slot + FLAGS];
    const key = code >= 0 ? KEYS[code] : sliceOf(source, out[slot + KEY_BEGIN], out[slot + KEY_END], !(flags & FLAG_KEY_NOT_ASCII));
    const begin = out[slot + VALUE_BEGIN];
    const end = out[slot + VALUE_END];
    let value;
    switch (out[slot + KIND]) {
      case STRING: {
        const ascii = !(flags & FLAG_VALUE_NOT_ASCII);
        value = flags & FLAG_ESCAPE ? JSON.parse(sliceOf(source, begin, end, ascii)) : sliceOf(source, begin + 1, end - 1, ascii);
        break;
      }
      case NUMBER:
        value = flags & FLAG_EXACT_NUMBER ? out[slot + NUMBER_VALUE] : Number(sliceOf(source, begin, end, true));
        break;
      case TRUE:
        value = true;
        break;
      case FALSE:
        value = false;
        break;
      case NULL:
        value = null;
        break;
      case OBJECT:
      case ARRAY:
        if (end - begin >= LAZY_MIN_BYTES) {
          if (lazy === null) lazy = {};
          defineLazy(event, lazy, key, source, begin, end);
          continue;
        }
        value = JSON.parse(sliceOf(source, begin, end, !(flags & FLAG_VALUE_NOT_ASCII)));
        break;
      default:
        throw new Error('hookwise: internal error: unknown value kind from the envelope parser');
    }
    event[key] = value;
  }
  if (lazy !== null) defineLazyState(event, lazy);
  return event;
}

function parseFallback(raw) {
  return JSON.parse(decodedPayload(raw));
}

// data.object.id / .object as the native parse found them, else read off the event.
function nestedField(event, strings, out, index, field) {
  if (out[STATUS] === PARSED && out[NESTED_KIND[index]] === NONE) return undefined; // absent
  if (out[STATUS] === PARSED && out[NESTED_KNOWN[index]] === 1) return strings[index];
  return dataObjectField(event, field);
}

function nativeEnvelope(event, out, strings, isNative) {
  const slots = isNative ? out : FALLBACK_OUT;
  return envelopeOf(event, (index, field) => nestedField(event, strings, slots, index, field), isNative);
}
const FALLBACK_OUT = new Float64Array(HEADER).fill(PARSED + 1); // not parsed natively

function finish(p, status, out, strings, source) {
  checkVerifyCode(codeOf(status), p);
  if (source === undefined && out[STATUS] === PARSED) {
    // DECODED_BYTES: the body becomes one latin1 string (its indices are the
    // byte offsets), which is the text itself when the body is ASCII.
    const raw = p.raw;
    const bytes = latin1Slice.call(raw, 0, raw.byteLength);
    source = out[BODY_IS_ASCII] === 1 ? bytes : new ByteText(bytes);
  }
  let event = buildEvent(source, out);
  const isNative = event !== null;
  if (!isNative) event = parseFallback(p.raw);
  return strings === null ? event : { event, envelope: nativeEnvelope(event, out, strings, isNative) };
}

// The parse source: a string payload itself; for large bytes a fresh Buffer
// the native call copies the body into (with the parser's padding after it);
// for small bytes undefined (decoded into a string after the call).
function sourceFor(raw) {
  if (raw === null || typeof raw === 'string') return raw;
  if (raw.byteLength <= DECODE_WHOLE_MAX_BYTES) return undefined;
  return Buffer.allocUnsafe(raw.byteLength + PADDING);
}

function jsLengthFor(raw, source) {
  if (typeof raw === 'string') return raw.length;
  return source === undefined && raw !== null ? DECODED_BYTES : SNAPSHOT_BYTES;
}

// `strings` null: the caller wants the event only (constructEvent), so the
// native side creates no strings for the envelope.
function callSync(p, source, strings) {
  const raw = p.raw;
  if (strings !== null) strings[0] = strings[1] = undefined;
  const status = native.verifyAndParse(raw, p.header, p.secrets, p.tolerance, p.receivedAt, syncOut, strings, jsLengthFor(raw, source), source);
  return finish(p, status, syncOut, strings, source);
}

/** The event, or { event, envelope } with `withEnvelope` (the handler's call). */
function parse(p, withEnvelope) {
  return callSync(p, sourceFor(p.raw), withEnvelope ? syncStrings : null);
}

async function parseAsync(p, withEnvelope) {
  const raw = p.raw;
  const source = sourceFor(raw);
  // As verifyAsync measures it: a string's length is exact for ASCII.
  const size = raw === null ? 0 : typeof raw === 'string' ? raw.length : raw.byteLength;
  if (size < ASYNC_OFFLOAD_BYTES) return callSync(p, source, withEnvelope ? syncStrings : null);
  const out = new Float64Array(layout.outSize);
  const own = withEnvelope ? [undefined, undefined] : null;
  const status = await native.verifyAndParseAsync(raw, p.header, p.secrets, p.tolerance, p.receivedAt, out, own, jsLengthFor(raw, source), source);
  return finish(p, status, out, own, source);
}

// What finish() reads of a verification that another scheme has done.
const VERIFIED_ELSEWHERE = 0;

/**
 * parse's result for a body that lib has verified by the Standard Webhooks
 * scheme (lib/standard): the same envelope parse and event, without the
 * Stripe signature check. `raw` is a string or bytes.
 */
function parseVerified(raw, withEnvelope) {
  const source = sourceFor(raw);
  const strings = withEnvelope ? syncStrings : null;
  if (strings !== null) strings[0] = strings[1] = undefined;
  native.parseVerified(raw, syncOut, strings, jsLengthFor(raw, source), source);
  return finish({ raw }, VERIFIED_ELSEWHERE, syncOut, strings, source);
}

module.exports = { parse, parseAsync, parseVerified, buildEvent, LAZY_MIN_BYTES };
