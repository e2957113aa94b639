'use strict';
// Every outcome row of API.md section 4's table, through both adapters
// (webhooks.fetch with the global Request/Response, webhooks.node behind a
// real node:http server), plus the pipeline's rules: retries, attempt
// counting, dead letters, skip-stale ordering, dispatch, ctx, logging; once per
// implementation (native, portable), on each of its stores.
const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { ReferenceStore } = require('./support/reference-store');
const { storesFor } = require('./support/stores');
const { ENGINES } = require('./support/engines');
const { SECRET, makeEvent, sign, delivery, startServer, post, recordingLogger } = require('./support/deliveries');

const PAYLOAD_MARKER = 'payload-marker-must-never-be-logged';

/** Sends deliveries to a handler through one adapter. */
async function transport(via, webhooks) {
  if (via === 'fetch') {
    return {
      async send(body, header, headers = {}) {
        const h = { 'content-type': 'application/json', ...headers };
        if (header !== undefined) h['stripe-signature'] = header;
        const res = await webhooks.fetch(new Request('http://localhost/webhooks', { method: 'POST', body, headers: h }));
        assert.ok(res instanceof Response);
        assert.equal(res.headers.get('content-type'), 'application/json');
        return { status: res.status, body: await res.json(), headers: res.headers };
      },
      close: async () => {},
    };
  }
  const server = await startServer((req, res) => webhooks.node(req, res));
  return {
    send: (body, header, headers) => post(server.url, body, header, headers),
    close: server.close,
  };
}

for (const { name: implementation, hookwise } of ENGINES) describe(implementation, () => {
  const { createWebhookHandler, MemoryStore } = hookwise;
  const STORES = storesFor(hookwise);

  function setup(via, storeKind, options = {}) {
    const ownStore = options.store === undefined;
    const store = options.store ?? STORES[storeKind]();
    const log = recordingLogger();
    const webhooks = createWebhookHandler({ secret: SECRET, store, logger: log.logger, ...options });
    let t;
    return {
      store,
      log,
      webhooks,
      async send(body, header, headers) {
        t ??= await transport(via, webhooks);
        return t.send(body, header, headers);
      },
      async deliver(event, opts) {
        const d = delivery(event, opts);
        return this.send(d.body, d.header);
      },
      async close() {
        if (t) await t.close();
        await webhooks.close();
        if (ownStore) await store.close();
      },
    };
  }

  const allLogs = [];
  after(() => {
    // No log line, across every test in this file, holds the secret or a payload.
    const text = allLogs.map((l) => l.text()).join('\n');
    assert.ok(!text.includes(SECRET), 'a log line contains the secret');
    assert.ok(!text.includes(PAYLOAD_MARKER), 'a log line contains the payload');
  });

  for (const [via, storeKind] of Object.keys(STORES).flatMap((kind) => [['fetch', kind], ['node', kind]])) {
    describe(`outcomes through webhooks.${via} on ${storeKind}`, () => {
      async function withSetup(options, fn) {
        const s = setup(via, storeKind, options);
        allLogs.push(s.log);
        try {
          await fn(s);
        } finally {
          await s.close();
        }
      }

      it('processed: 200 { received: true }, the handler gets the event and ctx', async () => {
        const seen = [];
        await withSetup({}, async (s) => {
          s.webhooks.on('invoice.paid', async (event, ctx) => seen.push({ event, ctx }));
          const event = makeEvent({ object: { id: 'in_1', object: 'invoice', note: PAYLOAD_MARKER } });
          const res = await s.deliver(event);
          assert.equal(res.status, 200);
          assert.deepEqual(res.body, { received: true });
          assert.equal(seen.length, 1);
          assert.deepEqual(seen[0].event, JSON.parse(JSON.stringify(event)));
          assert.deepEqual(Object.keys(seen[0].ctx).sort(), ['attempt', 'eventId', 'store']);
          assert.equal(seen[0].ctx.eventId, event.id);
          assert.equal(seen[0].ctx.attempt, 1);
          assert.equal(seen[0].ctx.store, s.store);
          assert.equal(s.store.calls.complete, 1);
          assert.equal((await s.store.get(event.id)).status, 'completed');
        });
      });

      it('ignored: 200 { received: true, ignored: true } when no handler matches, nothing claimed', async () => {
        await withSetup({}, async (s) => {
          s.webhooks.on('invoice.paid', async () => assert.fail('must not run'));
          const res = await s.deliver(makeEvent({ type: 'charge.refunded' }));
          assert.equal(res.status, 200);
          assert.deepEqual(res.body, { received: true, ignored: true });
          assert.equal(s.store.calls.claim, 0);
        });
      });

      it('duplicate: 200 { received: true, duplicate: true } and the handler does not run again', async () => {
        let runs = 0;
        await withSetup({ on: { 'invoice.paid': async () => void runs++ } }, async (s) => {
          const d = delivery(makeEvent());
          assert.deepEqual((await s.send(d.body, d.header)).body, { received: true });
          // Stripe's retry carries a new signature over the same body.
          const again = await s.send(d.body, sign(d.body));
          assert.equal(again.status, 200);
          assert.deepEqual(again.body, { received: true, duplicate: true });
          assert.equal(runs, 1);
        });
      });

      it('stale: with skip-stale an event older than the last applied one for its object is skipped', async () => {
        const applied = [];
        await withSetup({ ordering: 'skip-stale', on: { 'customer.subscription.updated': async (e) => applied.push(e.data.object.status) } }, async (s) => {
          const sub = (status) => ({ id: 'sub_1', object: 'subscription', status });
          const newer = makeEvent({ type: 'customer.subscription.updated', created: 2000, object: sub('active') });
          const older = makeEvent({ type: 'customer.subscription.updated', created: 1000, object: sub('past_due') });
          assert.deepEqual((await s.deliver(newer)).body, { received: true });
          const res = await s.deliver(older);
          assert.equal(res.status, 200);
          assert.deepEqual(res.body, { received: true, stale: true });
          assert.deepEqual(applied, ['active']);
          assert.equal(await s.store.lastApplied('sub_1'), 2000);
          // Recorded as done: Stripe's retry of the stale event is a duplicate.
          assert.deepEqual((await s.deliver(older)).body, { received: true, duplicate: true });
          // Same second is not older: it applies.
          const same = makeEvent({ type: 'customer.subscription.updated', created: 2000, object: sub('canceled') });
          assert.deepEqual((await s.deliver(same)).body, { received: true });
          assert.deepEqual(applied, ['active', 'canceled']);
        });
      });

      it('skip-stale: an object id no store can key (empty, over 255 bytes) is processed without ordering', async () => {
        const applied = [];
        await withSetup({ ordering: 'skip-stale', on: { 'customer.subscription.updated': async (e) => applied.push(e.created) } }, async (s) => {
          for (const id of ['', 's'.repeat(256)]) {
            const object = { id, object: 'subscription' };
            for (const created of [2000, 1000]) {
              const res = await s.deliver(makeEvent({ type: 'customer.subscription.updated', created, object }));
              assert.equal(res.status, 200);
              assert.deepEqual(res.body, { received: true });
            }
          }
          assert.deepEqual(applied, [2000, 1000, 2000, 1000]);
        });
      });

      it("ordering 'off' (the default) applies an older event", async () => {
        const applied = [];
        await withSetup({ on: { 'customer.subscription.updated': async (e) => applied.push(e.created) } }, async (s) => {
          const object = { id: 'sub_2', object: 'subscription' };
          await s.deliver(makeEvent({ type: 'customer.subscription.updated', created: 2000, object }));
          await s.deliver(makeEvent({ type: 'customer.subscription.updated', created: 1000, object }));
          assert.deepEqual(applied, [2000, 1000]);
        });
      });

      it('in_progress: 409 { error: in_progress } while another delivery holds the lease', async () => {
        let release;
        const gate = new Promise((r) => (release = r));
        let started;
        const running = new Promise((r) => (started = r));
        await withSetup({ on: { 'invoice.paid': async () => { started(); await gate; } } }, async (s) => {
          const d = delivery(makeEvent());
          const first = s.send(d.body, d.header);
          await running;
          const second = await s.send(d.body, sign(d.body));
          assert.equal(second.status, 409);
          assert.deepEqual(second.body, { error: 'in_progress' });
          release();
          assert.deepEqual((await first).body, { received: true });
        });
      });

      it('failed: 500 { error: handler_failed } after the retries, logged with event id and type', async () => {
        let runs = 0;
        await withSetup({ retry: { attempts: 2, backoffMs: 1 }, on: { 'invoice.paid': async () => { runs++; throw new Error('db down'); } } }, async (s) => {
          const event = makeEvent();
          const res = await s.deliver(event);
          assert.equal(res.status, 500);
          assert.deepEqual(res.body, { error: 'handler_failed' });
          assert.equal(runs, 3);
          const rec = await s.store.get(event.id);
          assert.equal(rec.status, 'failed');
          assert.match(rec.lastError, /db down/);
          assert.equal(s.log.lines.error.length, 3);
          for (const [line] of s.log.lines.error) {
            assert.ok(line.includes(event.id) && line.includes('invoice.paid') && line.includes('db down'), line);
          }
          assert.ok(!JSON.stringify(res.body).includes('db down'), 'the error must not reach the response');
        });
      });

      it('dead_lettered: 200 on the maxAttempts-th failure, and later deliveries run nothing', async () => {
        let runs = 0;
        await withSetup({ maxAttempts: 2, retry: false, on: { 'invoice.paid': async () => { runs++; throw new Error('always'); } } }, async (s) => {
          const d = delivery(makeEvent());
          const first = await s.send(d.body, d.header);
          assert.equal(first.status, 500);
          const second = await s.send(d.body, sign(d.body));
          assert.equal(second.status, 200);
          assert.deepEqual(second.body, { received: true, dead_lettered: true });
          const third = await s.send(d.body, sign(d.body));
          assert.equal(third.status, 200);
          assert.deepEqual(third.body, { received: true, dead_lettered: true });
          assert.equal(runs, 2);
          assert.equal((await s.store.get(JSON.parse(d.body).id)).status, 'dead_lettered');
          assert.ok(s.log.lines.error.some(([l]) => l.includes('dead-lettered')));
        });
      });

      for (const [name, make, code] of [
        ['a missing header', (d) => [d.body, undefined], 'missing_header'],
        ['a wrong secret', (d) => [d.body, sign(d.body, { secret: 'whsec_someone_else' })], 'signature_mismatch'],
        ['a tampered body', (d) => [d.body.replace('1900', '9900'), d.header], 'signature_mismatch'],
        ['an expired timestamp', (d) => [d.body, sign(d.body, { timestamp: Math.floor(Date.now() / 1000) - 301 })], 'timestamp_too_old'],
        ['a future timestamp', (d) => [d.body, sign(d.body, { timestamp: Math.floor(Date.now() / 1000) + 3600 })], 'timestamp_in_future'],
        ['a header without t', (d) => [d.body, 'v1=abc'], 'malformed_header'],
        ['a header without v1', (d) => [d.body, `t=${Math.floor(Date.now() / 1000)},v0=abc`], 'no_signatures'],
        ['an empty body', () => ['', sign('')], 'missing_payload'],
        ['a signed body that is not JSON', () => ['{"id": nope', sign('{"id": nope')], 'invalid_json'],
        ['signed JSON that is not an event', () => ['[1,2]', sign('[1,2]')], 'invalid_json'],
        // No store can key these: refused the same way whatever the store (not a 500 for ever).
        ...[['an empty event id', { id: '' }], ['a 256-byte event id', { id: 'e'.repeat(256) }], ['a 256-byte type', { type: 't'.repeat(256) }]].map(
          ([label, over]) => {
            const body = JSON.stringify({ ...makeEvent(), ...over });
            return [label, () => [body, sign(body)], 'invalid_json'];
          },
        ),
      ]) {
        it(`rejected: 400 { error: '${code}' } for ${name}`, async () => {
          await withSetup({ on: { '*': async () => assert.fail('must not run') } }, async (s) => {
            const d = delivery(makeEvent({ object: { id: 'in_x', object: 'invoice', amount_paid: 1900, note: PAYLOAD_MARKER } }));
            const res = await s.send(...make(d));
            assert.equal(res.status, 400);
            assert.equal(res.body.error, code);
            assert.equal(typeof res.body.message, 'string');
            assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message']);
            const text = JSON.stringify(res.body);
            assert.ok(!text.includes(SECRET) && !text.includes(PAYLOAD_MARKER), 'the answer echoes the secret or payload');
            assert.equal(s.store.calls.claim, 0);
          });
        });
      }

      it('too_large: 413 { error: payload_too_large } with Connection: close, before any signature work', async () => {
        let runs = 0;
        await withSetup({ maxBodyBytes: 1000, on: { '*': async () => void runs++ } }, async (s) => {
          const event = makeEvent({ object: { id: 'in_big', object: 'invoice', filler: 'x'.repeat(2000) } });
          const res = await s.send(JSON.stringify(event), 'not even a signature');
          assert.equal(res.status, 413);
          assert.deepEqual(res.body, { error: 'payload_too_large' });
          if (via === 'fetch') assert.equal(res.headers.get('connection'), 'close');
          assert.equal(s.store.calls.claim, 0);
          assert.equal(runs, 0);
          // At the limit exactly is fine.
          const body = JSON.stringify(makeEvent()).padEnd(1000, ' ');
          assert.equal((await s.send(body, sign(body))).status, 200);
          assert.equal(runs, 1);
        });
      });
    });
  }

  describe('dispatch', () => {
    it("runs a type's handlers and the '*' handlers, each once, in registration order", async () => {
      const calls = [];
      const both = async () => calls.push('both');
      const store = new MemoryStore();
      const webhooks = createWebhookHandler({ secret: SECRET, store, on: { '*': async () => calls.push('star') } })
        .on('invoice.paid', async () => calls.push('paid'))
        .on(['invoice.paid', 'invoice.payment_failed'], async () => calls.push('paid-or-failed'))
        .on('invoice.paid', both)
        .on('*', both);
      const d = delivery(makeEvent());
      const res = await webhooks.handle(d.body, d.header);
      assert.equal(res.outcome, 'processed');
      assert.deepEqual(calls, ['star', 'paid', 'paid-or-failed', 'both']);
    });

    it('retries only the handlers that failed, and succeeds on the third run', async () => {
      const runs = { ok: 0, flaky: 0 };
      const webhooks = createWebhookHandler({
        secret: SECRET,
        store: new MemoryStore(),
        logger: recordingLogger().logger,
        retry: { attempts: 2, backoffMs: 1 },
        on: {
          'invoice.paid': [
            async () => void runs.ok++,
            async () => {
              runs.flaky++;
              if (runs.flaky < 3) throw new Error('flaky');
            },
          ],
        },
      });
      const d = delivery(makeEvent());
      const res = await webhooks.handle(d.body, d.header);
      assert.equal(res.outcome, 'processed');
      assert.deepEqual(runs, { ok: 1, flaky: 3 });
    });

    it('the default retry policy runs a throwing handler three times in one delivery', async () => {
      let runs = 0;
      const log = recordingLogger();
      const webhooks = createWebhookHandler({
        secret: SECRET,
        store: new MemoryStore(),
        logger: log.logger,
        on: { 'invoice.paid': async () => { runs++; throw new Error('nope'); } },
      });
      const d = delivery(makeEvent());
      const res = await webhooks.handle(d.body, d.header);
      assert.equal(res.outcome, 'failed');
      assert.equal(runs, 3);
      assert.match(log.lines.error[2][0], /run 3 of 3/);
    });

    it('counts attempts across deliveries and passes them in ctx and the result', async () => {
      const attempts = [];
      const webhooks = createWebhookHandler({
        secret: SECRET,
        store: new MemoryStore(),
        logger: recordingLogger().logger,
        retry: false,
        maxAttempts: 5,
        on: { 'invoice.paid': async (e, ctx) => { attempts.push(ctx.attempt); if (ctx.attempt < 3) throw new Error('not yet'); } },
      });
      const { body } = delivery(makeEvent());
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await webhooks.handle(body, sign(body)));
      assert.deepEqual(results.map((r) => [r.outcome, r.attempt]), [['failed', 1], ['failed', 2], ['processed', 3], ['duplicate', 3]]);
      assert.deepEqual(attempts, [1, 2, 3]);
      assert.equal(results[0].error.message, 'not yet');
      assert.equal(results[0].eventId, JSON.parse(body).id);
      assert.equal(results[0].type, 'invoice.paid');
    });

    it('a requeued dead letter runs again from attempt 1', async () => {
      const store = new MemoryStore();
      let fixed = false;
      const webhooks = createWebhookHandler({
        secret: SECRET, store, retry: false, maxAttempts: 1, logger: recordingLogger().logger,
        on: { 'invoice.paid': async (e, ctx) => { if (!fixed) throw new Error('bug'); assert.equal(ctx.attempt, 1); } },
      });
      const { body } = delivery(makeEvent());
      assert.equal((await webhooks.handle(body, sign(body))).outcome, 'dead_lettered');
      fixed = true;
      assert.equal(await store.requeue(JSON.parse(body).id), true);
      assert.equal((await webhooks.handle(body, sign(body))).outcome, 'processed');
    });

    it('a handler outliving its lease is reported, and its late completion does not count', async () => {
      let now = 1_000_000;
      const store = new ReferenceStore({ now: () => now });
      const log = recordingLogger();
      let runs = 0;
      const webhooks = createWebhookHandler({
        secret: SECRET, store, leaseMs: 1000, logger: log.logger,
        on: { 'invoice.paid': async () => {
          runs++;
          if (runs === 1) {
            now += 5000; // the lease expires while this run works...
            const { body: b } = pending;
            assert.equal((await webhooks.handle(b, sign(b))).outcome, 'processed'); // ...and a retry takes over
          }
        } },
      });
      const pending = delivery(makeEvent());
      const res = await webhooks.handle(pending.body, pending.header);
      assert.equal(res.outcome, 'processed');
      assert.equal(runs, 2);
      assert.ok(log.lines.warn.some(([l]) => /lease expired/.test(l)));
      assert.equal((await store.get(JSON.parse(pending.body).id)).attempts, 2);
    });
  });

  describe('concurrency', () => {
    for (const storeKind of Object.keys(STORES)) it(`many concurrent deliveries of one event run its handler exactly once (node:http, ${storeKind})`, async () => {
      let runs = 0;
      const store = STORES[storeKind]();
      after(() => store.close());
      const webhooks = createWebhookHandler({
        secret: SECRET,
        store,
        on: { 'invoice.paid': async () => { runs++; await new Promise((r) => setTimeout(r, 20)); } },
      });
      const server = await startServer((req, res) => webhooks.node(req, res));
      try {
        const { body } = delivery(makeEvent());
        const results = await Promise.all(Array.from({ length: 40 }, () => post(server.url, body, sign(body))));
        assert.equal(runs, 1);
        const processed = results.filter((r) => r.status === 200 && r.body.duplicate === undefined);
        assert.equal(processed.length, 1);
        for (const r of results) {
          assert.ok(
            (r.status === 200 && (r.body.duplicate === true || Object.keys(r.body).length === 1)) || r.status === 409,
            JSON.stringify(r),
          );
        }
      } finally {
        await server.close();
      }
    });
  });

  describe('webhooks.handle', () => {
    it('accepts string, Buffer, Uint8Array and ArrayBuffer bodies', async () => {
      const webhooks = createWebhookHandler({ secret: SECRET, store: new MemoryStore(), on: { '*': async () => {} } });
      for (const wrap of [(s) => s, (s) => Buffer.from(s), (s) => new Uint8Array(Buffer.from(s)), (s) => new Uint8Array(Buffer.from(s)).buffer]) {
        const { body, header } = delivery(makeEvent());
        const res = await webhooks.handle(wrap(body), header);
        assert.equal(res.outcome, 'processed');
      }
    });

    it('a parsed object is rejected as payload_not_raw', async () => {
      const webhooks = createWebhookHandler({ secret: SECRET, store: new MemoryStore(), logger: recordingLogger().logger });
      const event = makeEvent();
      const res = await webhooks.handle(event, sign(JSON.stringify(event)));
      assert.equal(res.outcome, 'rejected');
      assert.equal(res.body.error, 'payload_not_raw');
    });

    it('accepts any of several secrets (rotation)', async () => {
      const webhooks = createWebhookHandler({ secret: ['whsec_old', SECRET], store: new MemoryStore(), on: { '*': async () => {} } });
      const { body, header } = delivery(makeEvent());
      assert.equal((await webhooks.handle(body, header)).outcome, 'processed');
    });

    it('honours tolerance', async () => {
      const webhooks = createWebhookHandler({ secret: SECRET, tolerance: 0, store: new MemoryStore(), on: { '*': async () => {} } });
      const { body, header } = delivery(makeEvent(), { timestamp: 1_000_000 });
      assert.equal((await webhooks.handle(body, header)).outcome, 'processed');
    });

    it('a store failure rejects handle() and is answered 500 internal_error without details', async () => {
      const store = new ReferenceStore();
      store.claim = async () => { throw new Error('connect ECONNREFUSED postgres://user:pw@db'); };
      const log = recordingLogger();
      const webhooks = createWebhookHandler({ secret: SECRET, store, logger: log.logger, on: { '*': async () => {} } });
      const { body, header } = delivery(makeEvent());
      await assert.rejects(webhooks.handle(body, header), /ECONNREFUSED/);
      const res = await webhooks.fetch(new Request('http://x/', { method: 'POST', body, headers: { 'stripe-signature': header } }));
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), { error: 'internal_error' });
    });

    it('without a store, uses a MemoryStore created at the first delivery and closed by close()', async () => {
      let seenStore;
      const webhooks = createWebhookHandler({ secret: SECRET, on: { '*': async (e, ctx) => void (seenStore = ctx.store) } });
      const { body } = delivery(makeEvent());
      assert.equal((await webhooks.handle(body, sign(body))).outcome, 'processed');
      assert.equal((await webhooks.handle(body, sign(body))).outcome, 'duplicate');
      assert.ok(seenStore instanceof MemoryStore);
      await webhooks.close();
    });

    it('gives the raw body to a store that keeps payloads (SqliteStore keepPayloads), byte for byte', {
      skip: STORES.SqliteStore === undefined && 'no SqliteStore in this runtime (the portable one needs node:sqlite, Node 22.13+)',
    }, async () => {
      const { SqliteStore } = hookwise;
      const { tmpDb } = require('./support/stores');
      const store = new SqliteStore({ path: tmpDb(), keepPayloads: true });
      try {
        const webhooks = createWebhookHandler({ secret: SECRET, store, on: { '*': async () => {} } });
        const body = JSON.stringify(makeEvent(), null, 2);
        const res = await webhooks.handle(Buffer.from(body), sign(body));
        assert.equal(res.outcome, 'processed');
        assert.equal((await store.get(res.eventId)).payload.toString('utf8'), body);
      } finally {
        await store.close();
      }
    });

    it('close() closes only a store the handler created', async () => {
      const store = new ReferenceStore();
      const webhooks = createWebhookHandler({ secret: SECRET, store });
      await webhooks.close();
      assert.equal(store.calls.close, 0);
    });
  });
});
