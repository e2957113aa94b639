'use strict';
// The leak workload: every outcome of every entry point of the native addon,
// as named scenarios. Two runners share it:
//   - test/leak/flat.js (spawned by test/js/addon-memory.test.js) runs one
//     scenario for its full iteration count in rounds and reports memory;
//   - test/leak/valgrind-workload.js runs every scenario up to a thousand
//     times under valgrind (scripts/leak-check.sh).
//
// Every iteration checks that it got the outcome its scenario names (the
// right error code, the right HTTP status, the right store answer), so a
// scenario cannot silently drift onto another code path and leave the path it
// names untested.
//
// `iterations` is the count for the memory-flat check (after its warm-up
// round). It is 100,000 for the fast calls; the slow ones run fewer, each
// saying why next to its count. What fewer iterations cost is the size of the
// leak the RSS check can see (test/js/addon-memory.test.js explains the
// bound); valgrind finds a leak whatever the count.
//
// A scenario is { name, iterations, calls?, floor?, coarse?, concurrency?, setup?() -> state,
// run(state, i) -> void | Promise, teardown?(state) }. `calls` (default 1) is
// how many calls into the addon one iteration makes: the memory check's bound
// is per call; `floor` raises its noise floor, and `coarse` says why a
// scenario cannot make enough calls to see a 64-byte leak (both explained in
// test/js/addon-memory.test.js). Async scenarios keep `concurrency` iterations in flight
// (default 1) so that thread-pool work overlaps.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const hookwise = require('../../lib');
const native = require('../../lib/native');
const nativeEngine = require('../../lib/engine/native');
const { prepareVerification } = require('../../lib/verify');
const { ASYNC_OFFLOAD_BYTES } = require('../../lib/engine/native/status');

// The handler's call into the native engine: verify + parse, with the envelope.
const verifyAndParse = (payload, header, secret, tolerance, receivedAt) =>
  nativeEngine.parse(prepareVerification(payload, header, secret, tolerance, receivedAt), true);
const verifyAndParseAsync = async (payload, header, secret, tolerance, receivedAt) =>
  nativeEngine.parseAsync(prepareVerification(payload, header, secret, tolerance, receivedAt), true);

const {
  constructEvent,
  constructEventAsync,
  verifyHeader,
  generateTestHeaderString,
  parseEventNotification,
  parseEventNotificationAsync,
  constructEventWithoutVerification,
  createWebhookHandler,
  MemoryStore,
  SqliteStore,
  SignatureVerificationError,
} = hookwise;
const { verifyHeaderAsync } = hookwise.webhooks.signature;

const SECRET = 'whsec_leak_check_0123456789abcdef';
const OTHER_SECRET = 'whsec_not_the_right_one_0123456789';
// Fixed clock for the verification scenarios: they must not depend on how
// long a run takes (valgrind is slow).
const T = 1_760_000_000;
const NOW_MS = T * 1000;
const TOLERANCE = 300;

// Offloaded async calls (thread pool) need bodies of at least
// ASYNC_OFFLOAD_BYTES; the parse runs on the helper thread (ParallelParse) for
// bodies of at least 512 KiB (src/addon/event_binding.cc).
const LARGE_BYTES = ASYNC_OFFLOAD_BYTES + 4096;

// Noise floors for the memory check (test/js/addon-memory.test.js), where
// its default is too tight, each measured without any leak. A scenario with
// one makes at least floor / 64 calls into the addon, or is `coarse`.
const MiB = 1024 * 1024;
// Work on the libuv pool threads moves RSS without any leak: by up to 2.4 MiB
// between rounds when first measured (a step that comes and goes: 10 rounds of
// the same scenario show it appear and vanish), and by up to 6.9 MiB over a
// scenario's 25k calls in later runs (2026-12-02, with and without the change
// then under test: a step after the warm-up or a slow climb, different every
// run), so 4 MiB failed now and then. Those scenarios get 8 MiB, which their
// 25k calls can only pass with a leak of 340 bytes per call or more.
const THREAD_POOL_FLOOR = 8 * MiB;
const THREAD_POOL_COARSE =
  'thread-pool RSS noise needs an 8 MiB floor: 25k calls show a leak of 340 bytes per call or more; valgrind checks smaller ones';
// Node's fetch machinery (Request, Response, body streams) alone moves RSS by
// up to 2.7 MiB between rounds: the same deliveries through webhooks.handle()
// stay within 0.4 MiB.
const FETCH_FLOOR = 4 * MiB;
const HUGE_BYTES = 512 * 1024 + 8192;

/** A snapshot event whose `data` is large enough (>256 bytes) to be materialised lazily. */
function eventJson({ id = 'evt_leak_1', type = 'invoice.paid', padTo = 0, text = 'x', object = 'event' } = {}) {
  const event = {
    id,
    object,
    api_version: '2026-10-28.endive',
    created: T,
    data: {
      object: {
        id: 'in_leak_1',
        object: 'invoice',
        customer: 'cus_leak',
        amount_paid: 1900,
        lines: { object: 'list', data: [{ id: 'il_1', amount: 1900, description: `Pro plan ${text}` }] },
        metadata: { note: 'a'.repeat(300) },
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: 'a7c1e3b2-0000-4000-8000-000000000000' },
    type,
  };
  let json = JSON.stringify(event);
  if (padTo > json.length) {
    event.data.object.metadata.note = 'a'.repeat(300 + padTo - json.length);
    json = JSON.stringify(event);
  }
  return json;
}

function thinEventJson() {
  return JSON.stringify({
    id: 'evt_test_65R9Ijk8mVYvbH5',
    object: 'v2.core.event',
    type: 'v1.billing.meter.error_report_triggered',
    livemode: false,
    created: '2026-11-23T12:00:00.000Z',
    related_object: { id: 'mtr_test_1', type: 'billing.meter', url: '/v1/billing/meters/mtr_test_1' },
  });
}

function header(payload, { timestamp = T, secret = SECRET, scheme } = {}) {
  return generateTestHeaderString({ payload: String(payload), secret, timestamp, ...(scheme ? { scheme } : {}) });
}

/** Calls fn, which must throw; `check(err)` says whether it is the expected error. */
function throwsSync(fn, check) {
  try {
    fn();
  } catch (err) {
    if (!check(err)) throw new Error(`unexpected error: ${err && err.stack}`);
    return;
  }
  throw new Error('expected a throw');
}

async function throwsAsync(fn, check) {
  try {
    await fn();
  } catch (err) {
    if (!check(err)) throw new Error(`unexpected error: ${err && err.stack}`);
    return;
  }
  throw new Error('expected a rejection');
}

const sigError = (code) => (err) => err instanceof SignatureVerificationError && err.code === code;
const isTypeError = (err) => err instanceof TypeError;
const isSyntaxError = (err) => err instanceof SyntaxError;
const namesFunction = (name) => (err) => err instanceof Error && err.message.includes(name);

function asUint8Array(buffer) {
  const copy = new Uint8Array(buffer.byteLength);
  copy.set(buffer);
  return copy;
}

/** The same body as a string, a Buffer and a plain Uint8Array. */
function payloadKinds(json) {
  const buffer = Buffer.from(json);
  return { string: json, Buffer: buffer, Uint8Array: asUint8Array(buffer) };
}

// ---------------------------------------------------------------------------
// Verification: verifyHeader / constructEvent / their async forms, the
// envelope parser, thin events, the test-header signer.

function verificationScenarios() {
  const scenarios = [];
  const add = (s) => scenarios.push(s);
  const small = eventJson();
  const smallHeader = header(small);
  const nonAscii = eventJson({ text: 'café ünïcödé 日本 🎉' });
  const nonAsciiHeader = header(nonAscii);
  const large = eventJson({ padTo: LARGE_BYTES });
  const largeHeader = header(large);
  const huge = eventJson({ padTo: HUGE_BYTES });
  const hugeHeader = header(huge);
  // Signed with another secret: signature_mismatch. Computed once, here: an
  // iteration should cost the call it measures, not an HMAC to set it up.
  const forgedSmall = header(small, { secret: OTHER_SECRET });
  const forgedLarge = header(large, { secret: OTHER_SECRET });
  const forgedHuge = header(huge, { secret: OTHER_SECRET });
  const oldLarge = header(large, { timestamp: T - 1000 });
  const opts = { secret: SECRET, receivedAt: NOW_MS };

  // 100k: verifyHeader is one native call of about 2 µs.
  for (const [kind, payload] of Object.entries(payloadKinds(small))) {
    add({
      name: `verifyHeader ok (${kind})`,
      iterations: 100_000,
      run: () => assert.equal(verifyHeader(payload, smallHeader, opts), true),
    });
  }
  for (const [kind, payload] of Object.entries(payloadKinds(small))) {
    add({
      name: `constructEvent ok (${kind})`,
      iterations: 100_000,
      run: () => {
        const event = constructEvent(payload, smallHeader, SECRET, TOLERANCE, undefined, NOW_MS);
        // Reads the lazily built `data` too.
        assert.equal(event.data.object.id, 'in_leak_1');
      },
    });
  }
  // (A Uint8Array takes the Buffer's path through the addon from here on.)
  for (const [kind, payload] of Object.entries(payloadKinds(nonAscii)).slice(0, 2)) {
    add({
      name: `constructEvent ok, non-ASCII body (${kind})`,
      iterations: 100_000,
      run: () => {
        const event = constructEvent(payload, nonAsciiHeader, SECRET, TOLERANCE, undefined, NOW_MS);
        assert.equal(event.data.object.customer, 'cus_leak');
      },
    });
  }
  add({
    name: 'constructEvent ok, several secrets (rotation)',
    iterations: 100_000,
    run: () => constructEvent(small, smallHeader, [OTHER_SECRET, SECRET], TOLERANCE, undefined, NOW_MS),
  });

  // Each rejection kind. 100k: each builds one error object in JS.
  const rejections = [
    ['signature_mismatch (string)', small, forgedSmall, 'signature_mismatch'],
    ['signature_mismatch (Buffer)', Buffer.from(small), forgedSmall, 'signature_mismatch'],
    ['signature_mismatch, empty v1', small, `t=${T},v1=`, 'signature_mismatch'],
    ['no_signatures (only v0)', small, header(small, { scheme: 'v0' }), 'no_signatures'],
    ['timestamp_too_old', small, header(small, { timestamp: T - TOLERANCE - 1 }), 'timestamp_too_old'],
    ['timestamp_in_future', small, header(small, { timestamp: T + TOLERANCE + 1 }), 'timestamp_in_future'],
    ['malformed_header (garbage)', small, 'this is not a stripe header', 'malformed_header'],
    ['malformed_header (t not digits)', small, `t=12ab,v1=${'0'.repeat(64)}`, 'malformed_header'],
    ['malformed_header (1,000 v1 items, no t)', small, Array.from({ length: 1_000 }, () => `v1=${'f'.repeat(64)}`).join(','), 'malformed_header'],
    ['missing_header (empty)', small, '', 'missing_header'],
    ['missing_header (undefined)', small, undefined, 'missing_header'],
    ['missing_payload', '', smallHeader, 'missing_payload'],
    ['payload_not_raw (parsed object)', JSON.parse(small), smallHeader, 'payload_not_raw'],
  ];
  for (const [label, payload, hdr, code] of rejections) {
    // The 1,000-item header (66 KB) costs ~40 µs to split: 25k iterations.
    const iterations = label.includes('1,000') ? 25_000 : 100_000;
    add({
      name: `verifyHeader ${label}`,
      iterations,
      run: () => throwsSync(() => verifyHeader(payload, hdr, SECRET, TOLERANCE, undefined, NOW_MS), sigError(code)),
    });
  }
  // constructEvent's native call (verifyAndParse) reaches the same verifier:
  // a rejection for each payload kind, and one found after the signature.
  const constructRejections = rejections.filter(([label]) => /^signature_mismatch \(|^timestamp_too_old/.test(label));
  for (const [label, payload, hdr, code] of constructRejections) {
    add({
      name: `constructEvent ${label}`,
      iterations: 100_000,
      run: () => throwsSync(() => constructEvent(payload, hdr, SECRET, TOLERANCE, undefined, NOW_MS), sigError(code)),
    });
  }
  add({
    name: 'constructEvent missing_secret (blank)',
    iterations: 100_000,
    run: () => throwsSync(() => constructEvent(small, smallHeader, '  ', TOLERANCE, undefined, NOW_MS), sigError('missing_secret')),
  });
  add({
    name: 'constructEvent secret of a wrong type (TypeError)',
    iterations: 100_000,
    run: () => throwsSync(() => constructEvent(small, smallHeader, 42, TOLERANCE, undefined, NOW_MS), isTypeError),
  });
  add({
    name: 'constructEvent secret array holding a number (TypeError)',
    iterations: 100_000,
    run: () => throwsSync(() => constructEvent(small, smallHeader, [SECRET, 7], TOLERANCE, undefined, NOW_MS), isTypeError),
  });
  add({
    name: 'constructEvent header array (TypeError)',
    iterations: 100_000,
    run: () => throwsSync(() => constructEvent(small, [smallHeader], SECRET, TOLERANCE, undefined, NOW_MS), isTypeError),
  });

  // The addon's own argument checks (the JS layer never lets these through):
  // the native TypeError paths. The async ones once leaked a never-settled
  // promise per refused call (fixed in src/addon/verify_binding.cc and
  // event_binding.cc: the arguments are read before the worker exists).
  const out = new Float64Array(native.envelopeLayout.outSize);
  const nativeMisuse = [
    ['verify', () => native.verify(small, smallHeader, [SECRET, 1], TOLERANCE, NOW_MS)],
    ['verify (Float64Array payload)', () => native.verify(new Float64Array(4), smallHeader, [SECRET], TOLERANCE, NOW_MS)],
    ['verifyAsync', () => native.verifyAsync(Buffer.from(small), smallHeader, [SECRET, {}], TOLERANCE, NOW_MS)],
    ['verifyAndParse', () => native.verifyAndParse(small, smallHeader, [SECRET], TOLERANCE, NOW_MS, new Float64Array(2), null, small.length, small)],
    ['verifyAndParseAsync', () => native.verifyAndParseAsync(Buffer.from(small), smallHeader, [SECRET], TOLERANCE, NOW_MS, out, null, -1, Buffer.alloc(1))],
    ['hmacSha256Hex', () => native.hmacSha256Hex(small, 12)],
  ];
  for (const [label, call] of nativeMisuse) {
    add({ name: `addon ${label} with bad arguments (TypeError)`, iterations: 100_000, run: () => throwsSync(call, isTypeError) });
  }

  // The async functions on small bodies: verified inline, the promise settled at once.
  for (const [kind, payload] of Object.entries(payloadKinds(small)).slice(0, 2)) {
    add({
      name: `constructEventAsync ok inline (${kind})`,
      iterations: 100_000,
      run: async () => {
        const event = await constructEventAsync(payload, smallHeader, SECRET, TOLERANCE, undefined, NOW_MS);
        assert.equal(event.type, 'invoice.paid');
      },
    });
  }
  add({
    name: 'constructEventAsync signature_mismatch inline',
    iterations: 100_000,
    run: () => throwsAsync(() => constructEventAsync(small, forgedSmall, SECRET, TOLERANCE, undefined, NOW_MS), sigError('signature_mismatch')),
  });
  add({
    name: 'verifyHeaderAsync ok inline',
    iterations: 100_000,
    run: async () => assert.equal(await verifyHeaderAsync(small, smallHeader, SECRET, TOLERANCE, undefined, NOW_MS), true),
  });

  // Offloaded to the thread pool (bodies over ASYNC_OFFLOAD_BYTES). 25k: each
  // HMACs and parses ~68 KB (~60 µs) and allocates a 68 KB snapshot.
  const largeKinds = payloadKinds(large);
  for (const [kind, payload] of Object.entries(largeKinds).slice(0, 2)) {
    add({
      name: `constructEventAsync ok offloaded (${kind}, ${large.length} bytes)`,
      iterations: 25_000,
      floor: THREAD_POOL_FLOOR,
      coarse: THREAD_POOL_COARSE,
      concurrency: 4,
      run: async () => {
        const event = await constructEventAsync(payload, largeHeader, SECRET, TOLERANCE, undefined, NOW_MS);
        assert.equal(event.data.object.id, 'in_leak_1');
      },
    });
  }
  add({
    name: 'constructEventAsync signature_mismatch offloaded',
    iterations: 25_000,
    floor: THREAD_POOL_FLOOR,
    coarse: THREAD_POOL_COARSE,
    concurrency: 4,
    run: () => throwsAsync(() => constructEventAsync(largeKinds.Buffer, forgedLarge, SECRET, TOLERANCE, undefined, NOW_MS), sigError('signature_mismatch')),
  });
  add({
    name: 'constructEventAsync timestamp_too_old offloaded',
    iterations: 25_000,
    floor: THREAD_POOL_FLOOR,
    coarse: THREAD_POOL_COARSE,
    concurrency: 4,
    run: () => throwsAsync(() => constructEventAsync(largeKinds.string, oldLarge, SECRET, TOLERANCE, undefined, NOW_MS), sigError('timestamp_too_old')),
  });
  add({
    name: 'verifyHeaderAsync ok offloaded (Buffer)',
    iterations: 25_000,
    floor: THREAD_POOL_FLOOR,
    coarse: THREAD_POOL_COARSE,
    concurrency: 4,
    run: async () => assert.equal(await verifyHeaderAsync(largeKinds.Buffer, largeHeader, SECRET, TOLERANCE, undefined, NOW_MS), true),
  });
  add({
    name: 'verifyHeaderAsync signature_mismatch offloaded (string)',
    iterations: 25_000,
    floor: THREAD_POOL_FLOOR,
    coarse: THREAD_POOL_COARSE,
    concurrency: 4,
    run: () => throwsAsync(() => verifyHeaderAsync(largeKinds.string, forgedLarge, SECRET, TOLERANCE, undefined, NOW_MS), sigError('signature_mismatch')),
  });

  // Async work owns its inputs: the caller's buffer is transferred away,
  // overwritten and collected right after the call, while the pool may still
  // be working (under valgrind, a read of it would be an invalid read in the
  // addon). 2k: each iteration copies a 68 KB body twice and runs a full GC.
  add({
    name: 'verifyHeaderAsync and constructEventAsync offloaded, the payload detached at once (Buffer)',
    iterations: 2_000,
    calls: 2,
    floor: THREAD_POOL_FLOOR,
    coarse: 'each iteration runs a full GC (~2 ms): 4k calls show a leak of 1 KB per call or more; valgrind checks smaller ones',
    run: async () => {
      const forVerify = Buffer.from(largeKinds.Buffer);
      const forEvent = Buffer.from(largeKinds.Buffer);
      const verified = verifyHeaderAsync(forVerify, largeHeader, SECRET, TOLERANCE, undefined, NOW_MS);
      const event = constructEventAsync(forEvent, largeHeader, SECRET, TOLERANCE, undefined, NOW_MS);
      for (const buffer of [forVerify.buffer, forEvent.buffer]) {
        new Uint8Array(structuredClone(buffer, { transfer: [buffer] })).fill(0x7a);
      }
      globalThis.gc?.();
      assert.equal(await verified, true);
      assert.equal((await event).data.object.id, 'in_leak_1');
    },
  });

  // The parse on the helper thread during the HMAC (bodies >= 512 KiB).
  // 5k: each call HMACs and parses ~530 KB (~0.5 ms).
  const hugeKinds = payloadKinds(huge);
  add({
    name: `constructEvent ok, parallel parse (Buffer, ${huge.length} bytes)`,
    iterations: 5_000,
    coarse: 'a 530 KB body costs ~0.5 ms: 5k calls show a leak of 420 bytes per call or more; valgrind checks smaller ones',
    run: () => assert.equal(constructEvent(hugeKinds.Buffer, hugeHeader, SECRET, TOLERANCE, undefined, NOW_MS).type, 'invoice.paid'),
  });
  add({
    name: 'constructEvent ok, parallel parse (string)',
    iterations: 5_000,
    coarse: 'a 530 KB body costs ~0.5 ms: 5k calls show a leak of 420 bytes per call or more; valgrind checks smaller ones',
    run: () => assert.equal(constructEvent(hugeKinds.string, hugeHeader, SECRET, TOLERANCE, undefined, NOW_MS).type, 'invoice.paid'),
  });
  add({
    name: 'constructEvent signature_mismatch, parallel parse abandoned (Buffer)',
    iterations: 5_000,
    coarse: 'a 530 KB body costs ~0.5 ms: 5k calls show a leak of 420 bytes per call or more; valgrind checks smaller ones',
    run: () => throwsSync(() => constructEvent(hugeKinds.Buffer, forgedHuge, SECRET, TOLERANCE, undefined, NOW_MS), sigError('signature_mismatch')),
  });
  add({
    name: 'constructEventAsync ok offloaded + parallel parse (Uint8Array)',
    iterations: 5_000,
    coarse: 'a 530 KB body costs ~0.5 ms: 5k calls show a leak of 420 bytes per call or more; valgrind checks smaller ones',
    concurrency: 2,
    run: async () => assert.equal((await constructEventAsync(hugeKinds.Uint8Array, hugeHeader, SECRET, TOLERANCE, undefined, NOW_MS)).type, 'invoice.paid'),
  });

  // verifyAndParse (the handler's path): ok, invalid JSON, not an event.
  const invalidJson = `${small.slice(0, -1)},}`;
  const notAnEvent = JSON.stringify([1, 2, { three: 'four' }]);
  const invalidJsonHeader = header(invalidJson);
  for (const [kind, payload] of Object.entries(payloadKinds(small))) {
    add({
      name: `verifyAndParse ok (${kind})`,
      iterations: 100_000,
      run: () => {
        const { event, envelope } = verifyAndParse(payload, smallHeader, SECRET, TOLERANCE, NOW_MS);
        assert.equal(envelope.objectId, 'in_leak_1');
        assert.equal(event.id, 'evt_leak_1');
      },
    });
  }
  for (const [kind, payload] of Object.entries(payloadKinds(invalidJson))) {
    add({
      name: `verifyAndParse invalid JSON (${kind})`,
      iterations: 100_000,
      run: () => throwsSync(() => verifyAndParse(payload, invalidJsonHeader, SECRET, TOLERANCE, NOW_MS), isSyntaxError),
    });
  }
  const notAnEventHeader = header(notAnEvent);
  add({
    name: 'verifyAndParse not an event (a JSON array)',
    iterations: 100_000,
    run: () => assert.equal(verifyAndParse(notAnEvent, notAnEventHeader, SECRET, TOLERANCE, NOW_MS).envelope.id, undefined),
  });
  add({
    name: 'verifyAndParseAsync ok offloaded (Buffer)',
    iterations: 25_000,
    floor: THREAD_POOL_FLOOR,
    coarse: THREAD_POOL_COARSE,
    concurrency: 4,
    run: async () => assert.equal((await verifyAndParseAsync(largeKinds.Buffer, largeHeader, SECRET, TOLERANCE, NOW_MS)).envelope.id, 'evt_leak_1'),
  });
  const largeInvalid = `${large.slice(0, -1)},}`;
  const largeInvalidHeader = header(largeInvalid);
  add({
    name: 'verifyAndParseAsync invalid JSON offloaded (string)',
    iterations: 25_000,
    floor: THREAD_POOL_FLOOR,
    coarse: THREAD_POOL_COARSE,
    concurrency: 4,
    run: () => throwsAsync(() => verifyAndParseAsync(largeInvalid, largeInvalidHeader, SECRET, TOLERANCE, NOW_MS), isSyntaxError),
  });

  // Thin events and the other payload shapes.
  const thin = thinEventJson();
  const thinHeader = header(thin);
  add({
    name: 'parseEventNotification ok',
    iterations: 100_000,
    run: () => assert.equal(parseEventNotification(thin, thinHeader, SECRET, TOLERANCE, undefined, NOW_MS).object, 'v2.core.event'),
  });
  add({
    name: 'parseEventNotification given a snapshot event (Error)',
    iterations: 100_000,
    run: () => throwsSync(() => parseEventNotification(small, smallHeader, SECRET, TOLERANCE, undefined, NOW_MS), namesFunction('constructEvent')),
  });
  add({
    name: 'parseEventNotificationAsync ok (Buffer)',
    iterations: 100_000,
    run: async () => assert.equal((await parseEventNotificationAsync(Buffer.from(thin), thinHeader, SECRET, TOLERANCE, undefined, NOW_MS)).type, 'v1.billing.meter.error_report_triggered'),
  });
  add({
    name: 'constructEvent given a thin event (Error)',
    iterations: 100_000,
    run: () => throwsSync(() => constructEvent(thin, thinHeader, SECRET, TOLERANCE, undefined, NOW_MS), namesFunction('parseEventNotification')),
  });
  const bridged = JSON.stringify({ version: '0', 'detail-type': 'invoice.paid', detail: JSON.parse(small) });
  add({
    name: 'constructEventWithoutVerification (EventBridge)',
    iterations: 100_000,
    run: () => assert.equal(constructEventWithoutVerification(bridged).id, 'evt_leak_1'),
  });
  add({
    name: 'generateTestHeaderString',
    iterations: 100_000,
    run: (state, i) => assert.match(generateTestHeaderString({ payload: small, secret: SECRET, timestamp: T + (i % 7) }), /^t=\d+,v1=[0-9a-f]{64}$/),
  });
  return scenarios;
}

// ---------------------------------------------------------------------------
// Stores. Each iteration works on one of a fixed set of ids, so the store's
// own contents stay the same size: growth can only be a leak.

const ID_SPACE = 256;

function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * One full life cycle of one event id, with every answer checked:
 * claim (acquired) -> claim (in_progress) -> fail (failed) -> fail with the
 * old token (stale) -> requeue -> claim (acquired again) -> complete ->
 * complete with a stale token (false) -> claim (duplicate) -> get -> list ->
 * requeue a completed one (false) -> lastApplied / markApplied -> purge
 * (nothing old enough) -> get an unknown id (null).
 * Leaves the record completed: a completed id cannot be claimed again, so
 * every call takes a fresh id and the caller bounds the store's size
 * (maxEntries for MemoryStore, a purge for SQLite).
 */
async function storeLifeCycle(store, id, i) {
  const meta = { type: 'invoice.paid', created: T + (i % 1000), objectId: `in_${i % ID_SPACE}`, leaseMs: 60_000, payload: '{"id":"x"}' };
  const first = await store.claim(id, meta);
  assert.equal(first.status, 'acquired');
  assert.equal((await store.claim(id, meta)).status, 'in_progress');
  const failed = await store.fail(id, first.token, 'Error: handler failed', 5);
  assert.equal(failed.deadLettered, false);
  assert.equal((await store.fail(id, first.token, 'late', 5)).stale, true);
  assert.equal(await store.requeue(id), true);
  const second = await store.claim(id, meta);
  assert.equal(second.status, 'acquired');
  assert.equal(await store.complete(id, second.token), true);
  assert.equal(await store.complete(id, first.token), false);
  assert.equal((await store.claim(id, meta)).status, 'duplicate');
  assert.equal((await store.get(id)).status, 'completed');
  assert.ok((await store.list({ limit: 5 })).length > 0);
  // Other life cycles may be in flight (SQLite batches): only the shape is certain.
  assert.ok(Array.isArray(await store.list({ status: 'failed', type: 'invoice.paid', before: Date.now() + 1000, limit: 5 })));
  assert.equal(await store.requeue(id), false);
  await store.markApplied(meta.objectId, meta.created, id);
  assert.equal(typeof (await store.lastApplied(meta.objectId)), 'number');
  assert.equal(await store.purge(24 * 60 * 60 * 1000), 0);
  assert.equal(await store.get('evt_never_seen'), null);
}

function storeScenarios() {
  const scenarios = [];
  // 100k: a MemoryStore operation is a map lookup under a lock; one
  // iteration is 16 of them. maxEntries bounds the completed records kept.
  scenarios.push({
    name: 'MemoryStore claim/fail/requeue/complete/get/list/purge life cycle',
    iterations: 100_000,
    calls: 17, // native store calls per life cycle
    setup: () => ({ store: new MemoryStore({ maxEntries: ID_SPACE }) }),
    run: ({ store }, i) => storeLifeCycle(store, `evt_mem_${i}`, i),
    teardown: ({ store }) => store.close(),
  });
  scenarios.push({
    name: 'MemoryStore dead letter, requeue, stale tokens, closed-store and argument errors',
    iterations: 100_000,
    calls: 15,
    setup: () => ({ store: new MemoryStore({ maxEntries: ID_SPACE }), closed: new MemoryStore() }),
    run: async ({ store, closed }, i) => {
      // Ids are reused: each round leaves its id dead-lettered and requeued.
      const id = `evt_dl_${i % ID_SPACE}`;
      const meta = { type: 'invoice.paid', created: T, leaseMs: 60_000 };
      const first = await store.claim(id, meta);
      assert.equal(first.status, 'acquired');
      assert.equal((await store.fail(id, first.token, 'boom', 1)).deadLettered, true);
      assert.equal((await store.claim(id, meta)).status, 'dead_lettered');
      assert.equal(await store.requeue(id), true);
      const second = await store.claim(id, meta);
      assert.equal(second.status, 'acquired');
      assert.equal(await store.requeue(id), false); // processing: not requeued
      assert.equal((await store.fail(id, 'not-a-token', 'x', 1)).stale, true);
      assert.equal((await store.claim(id, meta)).status, 'in_progress');
      assert.equal((await store.fail(id, second.token, 'boom again', 1)).deadLettered, true);
      assert.equal((await store.get(id)).lastError, 'boom again');
      assert.equal(await store.requeue(id), true);
      if (i === 0) await closed.close();
      await throwsAsync(() => closed.get(id), (err) => err.code === 'HOOKWISE_STORE_CLOSED');
      await throwsAsync(() => store.claim('', meta), (err) => err instanceof RangeError);
      // The addon's own argument check, on a native store made for the purpose.
      const raw = new native.NativeMemoryStore(null, 10, 1000);
      throwsSync(() => raw.claim(1), isTypeError);
      throwsSync(() => new native.NativeMemoryStore(1, 2), isTypeError);
    },
    teardown: ({ store }) => store.close(),
  });
  // 20k: create, use and close a store each time (named ones share state).
  scenarios.push({
    name: 'MemoryStore created, used and closed (private and named)',
    iterations: 20_000,
    calls: 5,
    run: async (state, i) => {
      const store = new MemoryStore(i % 2 ? { name: `leak-check-${i % 4}`, maxEntries: 10 } : { maxEntries: 10 });
      const claim = await store.claim(`evt_${i}`, { type: 't', created: T, leaseMs: 1000 });
      assert.ok(claim.status === 'acquired' || claim.status === 'duplicate');
      if (claim.status === 'acquired') await store.complete(`evt_${i}`, claim.token);
      await store.close();
      await throwsAsync(() => store.get('x'), (err) => err.code === 'HOOKWISE_STORE_CLOSED');
    },
  });

  // SQLite: every operation goes through the writer thread and a commit.
  // durability 'normal' (no fsync per commit) keeps the disk out of it; the
  // code paths are the same as 'full'. One iteration is a batch of 8 life
  // cycles in flight at once (so group commits batch them: 136 operations),
  // then a purge of what the batch completed, which keeps the table, and so
  // SQLite's page cache, the same size. 2k batches = 16k life cycles, about
  // 270k store operations.
  scenarios.push({
    name: 'SqliteStore claim/fail/requeue/complete/get/list/purge life cycles (file)',
    iterations: 2_000,
    calls: 145, // 8 x (17 + 1) + the purge
    setup: () => {
      const dir = tempDir('hookwise-leak-sqlite-');
      return { dir, store: new SqliteStore({ path: path.join(dir, 'events.db'), durability: 'normal', keepPayloads: true }) };
    },
    run: async ({ store }, i) => {
      await Promise.all(
        Array.from({ length: 8 }, async (_, k) => {
          const id = `evt_sql_${i}_${k}`;
          await storeLifeCycle(store, id, i);
          const record = await store.get(id);
          assert.equal(record.payload.toString(), '{"id":"x"}');
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 0));
      await store.purge(0);
    },
    teardown: async ({ store, dir }) => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  });
  // 2k: each opens a file (schema check, WAL) and closes it on the pool.
  scenarios.push({
    name: 'SqliteStore opened, used and closed, and closed-store errors',
    iterations: 2_000,
    coarse: 'an open costs ~3 ms: 12k calls show a leak of 175 bytes per call (1 KB per open) or more; valgrind checks smaller ones',
    calls: 6,
    setup: () => ({ dir: tempDir('hookwise-leak-sqlite-open-') }),
    run: async ({ dir }, i) => {
      const store = new SqliteStore({ path: path.join(dir, `db-${i % 4}.db`), durability: i % 2 ? 'full' : 'normal' });
      const claim = await store.claim(`evt_open_${i}`, { type: 't', created: T, leaseMs: 1000 });
      assert.equal(claim.status, 'acquired');
      await store.complete(`evt_open_${i}`, claim.token);
      await store.purge(0);
      await store.close();
      await throwsAsync(() => store.get('x'), (err) => err.code === 'HOOKWISE_STORE_CLOSED');
    },
    teardown: ({ dir }) => fs.rmSync(dir, { recursive: true, force: true }),
  });
  return scenarios;
}

// ---------------------------------------------------------------------------
// The handler through the fetch adapter, with real Request objects.

const quiet = { info() {}, warn() {}, error() {} };

function handlerScenarios() {
  const scenarios = [];
  function handlerState(store) {
    let handled = 0;
    const webhooks = createWebhookHandler({
      secret: SECRET,
      store,
      logger: quiet,
      retry: { attempts: 0, backoffMs: 0 },
      maxAttempts: 3,
      on: {
        'invoice.paid': async (event) => {
          handled += event.data.object.amount_paid > 0 ? 1 : 0;
        },
        'invoice.payment_failed': async () => {
          throw new Error('handler failed on purpose');
        },
      },
    });
    return { store, webhooks, handled: () => handled };
  }
  async function post(webhooks, body, signature) {
    const headers = { 'content-type': 'application/json' };
    if (signature !== undefined) headers['stripe-signature'] = signature;
    const res = await webhooks.fetch(new Request('http://localhost/webhooks', { method: 'POST', body, headers }));
    return { status: res.status, body: await res.json() };
  }
  // Signed with the real clock: the handler checks the timestamp against Date.now().
  const signNow = (body, secret = SECRET) => generateTestHeaderString({ payload: body, secret });

  // 22k: each is a Request, a body stream read, a verify + parse, a store
  // claim + complete and a Response (~50 µs).
  scenarios.push({
    name: 'handler.fetch accepted (processed), MemoryStore',
    iterations: 22_000,
    floor: FETCH_FLOOR,
    calls: 3, // verify + parse, claim, complete
    setup: () => handlerState(new MemoryStore({ maxEntries: ID_SPACE })),
    run: async ({ webhooks }, i) => {
      const body = eventJson({ id: `evt_accept_${i}` });
      const res = await post(webhooks, body, signNow(body));
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { received: true });
    },
    teardown: ({ store }) => store.close(),
  });
  scenarios.push({
    name: 'handler.fetch duplicate',
    iterations: 33_000,
    floor: FETCH_FLOOR,
    calls: 2, // verify + parse, claim
    setup: async () => {
      const state = handlerState(new MemoryStore());
      state.body = eventJson({ id: 'evt_dup' });
      state.signature = signNow(state.body);
      assert.equal((await post(state.webhooks, state.body, state.signature)).status, 200);
      return state;
    },
    run: async ({ webhooks, body, signature }) => {
      const res = await post(webhooks, body, signature);
      assert.equal(res.status, 200);
      assert.equal(res.body.duplicate, true);
    },
    teardown: ({ store }) => store.close(),
  });
  scenarios.push({
    name: 'handler.fetch bad signature, expired timestamp, invalid JSON, not an event',
    // 66k: one addon call each, and the fetch floor needs 65.5k for a 64-byte leak per call.
    // (Too large a body never reaches the addon: test/js/hostile-http.test.js covers it.)
    iterations: 66_000,
    floor: FETCH_FLOOR,
    setup: () => {
      const state = handlerState(new MemoryStore());
      state.body = eventJson({ id: 'evt_bad' });
      state.forged = signNow(state.body, OTHER_SECRET);
      state.expired = generateTestHeaderString({ payload: state.body, secret: SECRET, timestamp: T });
      state.invalid = `${state.body.slice(0, -1)},}`;
      state.invalidSig = signNow(state.invalid);
      state.notEvent = '{"hello":"world"}';
      state.notEventSig = signNow(state.notEvent);
      return state;
    },
    run: async (s, i) => {
      switch (i % 4) {
        case 0: {
          const res = await post(s.webhooks, s.body, s.forged);
          assert.equal(res.status, 400);
          assert.equal(res.body.error, 'signature_mismatch');
          break;
        }
        case 1:
          assert.equal((await post(s.webhooks, s.body, s.expired)).body.error, 'timestamp_too_old');
          break;
        case 2:
          assert.equal((await post(s.webhooks, s.invalid, s.invalidSig)).body.error, 'invalid_json');
          break;
        default:
          assert.equal((await post(s.webhooks, s.notEvent, s.notEventSig)).body.error, 'invalid_json');
      }
    },
    teardown: ({ store }) => store.close(),
  });
  scenarios.push({
    name: 'handler.fetch handler throws (failed, then dead-lettered)',
    iterations: 22_000,
    floor: FETCH_FLOOR,
    calls: 3, // verify + parse, claim, fail (and a requeue every third)
    setup: () => handlerState(new MemoryStore({ maxEntries: ID_SPACE })),
    run: async ({ webhooks, store }, i) => {
      // Ids are reused: the third delivery dead-letters the event (maxAttempts
      // 3) and a requeue makes it claimable again, so the store stays small.
      const id = `evt_fail_${Math.floor(i / 3) % 64}`;
      const body = eventJson({ id, type: 'invoice.payment_failed' });
      const res = await post(webhooks, body, signNow(body));
      if (i % 3 === 2) {
        assert.deepEqual(res.body, { received: true, dead_lettered: true });
        assert.equal(await store.requeue(id), true);
      } else {
        assert.equal(res.status, 500);
        assert.deepEqual(res.body, { error: 'handler_failed' });
      }
    },
    teardown: ({ store }) => store.close(),
  });
  // 3.2k batches of 4 deliveries in flight, each sent twice (accepted, then
  // duplicate): 25.6k requests, each as above plus SQLite commits; then a purge
  // of the batch's records, which keeps the table the same size.
  scenarios.push({
    name: 'handler.fetch accepted and duplicate, SqliteStore (file)',
    iterations: 3_200,
    floor: FETCH_FLOOR,
    calls: 21, // 4 x (3 + 2) + the purge
    setup: () => {
      const dir = tempDir('hookwise-leak-handler-');
      return { dir, ...handlerState(new SqliteStore({ path: path.join(dir, 'events.db'), durability: 'normal' })) };
    },
    run: async ({ webhooks, store }, i) => {
      await Promise.all(
        Array.from({ length: 4 }, async (_, k) => {
          const body = eventJson({ id: `evt_sqlh_${i}_${k}` });
          const signature = signNow(body);
          assert.deepEqual((await post(webhooks, body, signature)).body, { received: true });
          assert.equal((await post(webhooks, body, signature)).body.duplicate, true);
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 0));
      await store.purge(0);
    },
    teardown: async ({ store, dir }) => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  });
  return scenarios;
}

// ---------------------------------------------------------------------------
// Standard Webhooks (src/addon/standard_webhook_binding.cc, parseVerified):
// v1 and v1a verification, each rejection the core reports, signing, the
// pool path, and the handler's route.

function standardScenarios() {
  const scenarios = [];
  const add = (s) => scenarios.push(s);
  const { verifyStandardWebhook, verifyStandardWebhookAsync, signStandardWebhook, StandardWebhookVerificationError } = hookwise;
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  // RFC 8032 section 7.1 test 1's key pair.
  const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
  const pk = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex');
  const whsk = `whsk_${Buffer.concat([seed, pk]).toString('base64')}`;
  const whpk = `whpk_${pk.toString('base64')}`;
  const options = { tolerance: TOLERANCE, receivedAt: NOW_MS };
  const small = JSON.stringify({ type: 'user.created', object: 'event', data: { id: 'user_leak', note: 'n'.repeat(300) } });
  const large = JSON.stringify({ type: 'user.updated', object: 'event', data: { id: 'user_leak', note: 'n'.repeat(LARGE_BYTES) } });
  const sign = (payload, key, timestamp = T) => signStandardWebhook({ id: 'msg_leak', timestamp, payload, secret: key });
  const v1 = sign(small, secret);
  const v1a = sign(small, whsk);
  const v1Large = sign(large, secret);
  const standardError = (code) => (err) => err instanceof StandardWebhookVerificationError && err.code === code;

  add({
    name: 'verifyStandardWebhook v1 ok (Buffer, string)',
    iterations: 100_000,
    calls: 2,
    run: (state, i) => {
      const r = verifyStandardWebhook(i % 2 ? Buffer.from(small) : small, v1, secret, options);
      assert.equal(r.event.data.id, 'user_leak');
    },
  });
  add({
    name: 'verifyStandardWebhook v1a ok, and v1 + v1a keys',
    iterations: 20_000, // an ed25519 verification is ~50 µs
    floor: THREAD_POOL_FLOOR,
    coarse: 'ed25519 is slow enough that 20k calls show only a leak of 200 bytes per call or more; valgrind checks smaller ones',
    run: () => assert.equal(verifyStandardWebhook(small, v1a, [secret, whpk], options).id, 'msg_leak'),
  });
  for (const [what, headers, key, code] of [
    ['no_matching_signature (v1)', { ...v1, 'webhook-signature': `v1,${'A'.repeat(43)}= v2,x` }, secret, 'no_matching_signature'],
    ['no_matching_signature (v1a)', { ...v1a, 'webhook-signature': `v1a,${'A'.repeat(86)}==` }, whpk, 'no_matching_signature'],
    ['bad_timestamp', { ...v1, 'webhook-timestamp': '12ab' }, secret, 'bad_timestamp'],
    ['timestamp_too_old', sign(small, secret, T - TOLERANCE - 1), secret, 'timestamp_too_old'],
    ['missing_header', { 'webhook-id': 'msg_leak' }, secret, 'missing_header'],
  ]) {
    add({
      name: `verifyStandardWebhook ${what}`,
      iterations: 100_000,
      run: () => assert.throws(() => verifyStandardWebhook(small, headers, key, options), standardError(code)),
    });
  }
  add({
    name: 'standardVerify bad_secret from the core (past the JS check)',
    iterations: 100_000,
    run: () => assert.equal(native.standardVerify(small, 'm', String(T), 'v1,x', ['whsec_%%'], 0, 0), native.standardStatusNames.indexOf('bad_secret')),
  });
  add({
    name: 'signStandardWebhook v1 and v1a',
    iterations: 20_000, // an ed25519 signature is ~25 µs
    calls: 2,
    floor: THREAD_POOL_FLOOR,
    coarse: 'ed25519 is slow enough that 20k calls show only a leak of 100 bytes per call or more; valgrind checks smaller ones',
    run: () => assert.match(sign(small, [secret, whsk])['webhook-signature'], /^v1,\S+ v1a,\S+$/),
  });
  add({
    name: 'verifyStandardWebhookAsync ok and no_matching_signature offloaded',
    iterations: 25_000,
    floor: THREAD_POOL_FLOOR,
    coarse: THREAD_POOL_COARSE,
    concurrency: 4,
    run: async (state, i) => {
      if (i % 2) return assert.equal((await verifyStandardWebhookAsync(Buffer.from(large), v1Large, secret, options)).id, 'msg_leak');
      return assert.rejects(verifyStandardWebhookAsync(large, v1, secret, options), standardError('no_matching_signature'));
    },
  });
  return scenarios;
}

function allScenarios() {
  return [...verificationScenarios(), ...storeScenarios(), ...handlerScenarios(), ...standardScenarios()];
}

/** Runs `count` iterations of a set-up scenario, keeping `concurrency` in flight. */
async function runIterations(scenario, state, start, count) {
  const concurrency = scenario.concurrency ?? 1;
  if (concurrency === 1) {
    for (let i = start; i < start + count; i++) {
      const r = scenario.run(state, i);
      if (r && typeof r.then === 'function') await r;
    }
    return;
  }
  let next = start;
  const end = start + count;
  async function lane() {
    while (next < end) await scenario.run(state, next++);
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
}

module.exports = { allScenarios, runIterations };
