'use strict';
// Async work owns its inputs (STYLE.md): a caller may transfer or detach the
// ArrayBuffer behind its payload the moment an async call returns, while a
// thread-pool thread (or the SQLite writer) still has the work to do. The
// addon copies the bytes on the JS thread first; if it did not, the pool
// would read memory that was moved or freed.
//
// Each case transfers the buffer right after the call (structuredClone with
// `transfer`, which moves the backing store to a new ArrayBuffer without
// copying it), overwrites the moved bytes (so a late read gives a wrong answer
// here, not only under a sanitizer), drops them and collects garbage (so the
// memory is freed while the work may still run: a use-after-free under ASan or
// valgrind), then checks that the answer is the one for the original bytes.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const hookwise = require('../..');
const native = require('../../lib/native');
const { ASYNC_OFFLOAD_BYTES } = require('../../lib/engine/native/status');

const SECRET = 'whsec_async_inputs_0123456789';
const OK = 0; // VerifyStatus::kOk

v8.setFlagsFromString('--expose-gc');
const gc = globalThis.gc ?? vm.runInNewContext('gc');

// A Stripe-shaped event of at least `bytes` bytes of UTF-8 (not all ASCII).
function eventBody(bytes) {
  const event = {
    id: 'evt_async_inputs',
    object: 'event',
    type: 'invoice.paid',
    created: 1_760_000_000,
    livemode: false,
    data: { object: { id: 'in_async', object: 'invoice', lines: [] } },
  };
  const lines = event.data.object.lines;
  const line = (i) => ({ id: `il_${i}`, object: 'line_item', description: 'é'.repeat(40), amount: 1999 + i });
  const lineBytes = Buffer.byteLength(JSON.stringify(line(0))) + 1;
  for (let i = 0; i * lineBytes < bytes; i += 1) lines.push(line(i));
  return JSON.stringify(event);
}

// Moves `arrayBuffer`'s memory away (the original is detached: byteLength 0),
// overwrites it and lets it be freed.
function detach(arrayBuffer) {
  let moved = structuredClone(arrayBuffer, { transfer: [arrayBuffer] });
  new Uint8Array(moved).fill(0x7a);
  moved = null;
  gc();
}

const signed = (text) => hookwise.generateTestHeaderString({ payload: text, secret: SECRET, timestamp: Math.floor(Date.now() / 1000) });

// Views of the body as callers pass it: a Buffer, a Uint8Array at an offset
// into a larger ArrayBuffer, and a bare ArrayBuffer.
function payloads(text) {
  const bytes = Buffer.from(text);
  const offset = new Uint8Array(new ArrayBuffer(bytes.length + 24), 16, bytes.length);
  offset.set(bytes);
  const bare = new Uint8Array(bytes).buffer;
  return [
    ['Buffer', Buffer.from(text), (p) => p.buffer],
    ['Uint8Array at an offset', offset, (p) => p.buffer],
    ['ArrayBuffer', bare, (p) => p],
  ];
}

for (const size of [ASYNC_OFFLOAD_BYTES, 1024 * 1024]) {
  const text = eventBody(size);
  const header = signed(text);
  const expected = JSON.parse(text);
  const label = `${Math.round(Buffer.byteLength(text) / 1024)} KiB`;

  for (const [kind, payload, bufferOf] of payloads(text)) {
    test(`verifyAsync (${label}, ${kind}): the buffer detached right after the call does not change the answer`, async () => {
      const pending = native.verifyAsync(payload, header, [SECRET], 300, Date.now());
      detach(bufferOf(payload));
      assert.equal(bufferOf(payload).byteLength, 0, 'the buffer is detached');
      assert.equal(await pending, OK);
    });
  }

  for (const [kind, payload, bufferOf] of payloads(text)) {
    test(`constructEventAsync (${label}, ${kind}): the buffer detached right after the call does not change the event`, async () => {
      const pending = hookwise.constructEventAsync(payload, header, SECRET);
      detach(bufferOf(payload));
      const event = await pending;
      assert.deepEqual(JSON.parse(JSON.stringify(event)), expected);
    });
  }
}

test('constructEventAsync: many calls in flight, each buffer detached at once, all verify', async () => {
  const text = eventBody(ASYNC_OFFLOAD_BYTES * 2);
  const header = signed(text);
  const pending = [];
  for (let i = 0; i < 16; i += 1) {
    const payload = Buffer.from(text);
    pending.push(i % 2 ? native.verifyAsync(payload, header, [SECRET], 300, Date.now()) : hookwise.constructEventAsync(payload, header, SECRET));
    detach(payload.buffer);
  }
  const results = await Promise.all(pending);
  results.forEach((result, i) => {
    if (i % 2) assert.equal(result, OK);
    else assert.equal(result.id, 'evt_async_inputs');
  });
});

test('SqliteStore (keepPayloads): a claimed payload detached right after claim() is stored as it was', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-async-inputs-'));
  const store = new hookwise.SqliteStore({ path: path.join(dir, 'events.db'), durability: 'normal', keepPayloads: true });
  try {
    const text = eventBody(256 * 1024);
    const payload = Buffer.from(text);
    const pending = store.claim('evt_async_inputs', { type: 'invoice.paid', created: 1_760_000_000, leaseMs: 60_000, payload });
    detach(payload.buffer);
    assert.equal((await pending).status, 'acquired');
    const record = await store.get('evt_async_inputs');
    assert.equal(record.payload.toString(), text);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
