'use strict';
// createWebhookHandler's creation-time checks: each mistake fails at once
// with a message that says what to change, and none of them echoes a secret.
// Once per implementation.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { ENGINES } = require('./support/engines');
const { counted } = require('./support/stores');
const { SECRET, makeEvent, delivery, recordingLogger } = require('./support/deliveries');

for (const { name: implementation, hookwise } of ENGINES) describe(implementation, () => {
  const { createWebhookHandler, MemoryStore } = hookwise;

  const create = (options) => createWebhookHandler({ store: new MemoryStore(), ...options });

  describe('createWebhookHandler checks its options at creation', () => {
    for (const [name, secret] of [
      ['no secret', undefined],
      ['a null secret', null],
      ['an empty secret', ''],
      ['a blank secret', '  \n'],
      ['an empty array', []],
      ['an array with a blank secret', [SECRET, '']],
    ]) {
      it(`${name} throws, naming STRIPE_WEBHOOK_SECRET`, () => {
        assert.throws(() => create({ secret }), (err) => {
          assert.equal(err.code, 'missing_secret');
          assert.match(err.message, /STRIPE_WEBHOOK_SECRET/);
          return true;
        });
      });
    }

    it('no options at all throws the same', () => {
      assert.throws(() => createWebhookHandler(), /STRIPE_WEBHOOK_SECRET/);
    });

    it('a secret with whitespace throws, without echoing it', () => {
      for (const secret of [`${SECRET}\n`, ` ${SECRET}`, [SECRET, 'whsec_a b']]) {
        assert.throws(() => create({ secret }), (err) => {
          assert.equal(err.code, 'secret_whitespace');
          assert.match(err.message, /whitespace/);
          assert.ok(!err.message.includes(SECRET) && !err.message.includes('whsec_a b'));
          return true;
        });
      }
    });

    it('a secret without whsec_ is a warning explaining why, not an error', () => {
      const log = recordingLogger();
      create({ secret: 'sk_test_123456789', logger: log.logger });
      assert.equal(log.lines.warn.length, 1);
      const [line] = log.lines.warn[0];
      assert.match(line, /whsec_/);
      assert.match(line, /API secret key/);
      assert.match(line, /signature_mismatch/);
      assert.ok(!line.includes('sk_test_123456789'));
      const quiet = recordingLogger();
      create({ secret: SECRET, logger: quiet.logger });
      assert.equal(quiet.lines.warn.length, 0);
    });

    it('a non-string secret is a TypeError', () => {
      assert.throws(() => create({ secret: 42 }), TypeError);
      assert.throws(() => create({ secret: [SECRET, 42] }), /secret\[1\]/);
    });

    it('an unknown option throws, suggesting the right name', () => {
      assert.throws(() => create({ secret: SECRET, maxAttempt: 3 }), /unknown createWebhookHandler option "maxAttempt".*Did you mean "maxAttempts"/);
      assert.throws(() => create({ secret: SECRET, onEvent: {} }), /unknown createWebhookHandler option "onEvent"/);
      assert.throws(() => create({ secret: SECRET, retry: { attempt: 1 } }), /unknown retry option "attempt"/);
    });

    it('a handler that is not a function throws, naming its type', () => {
      assert.throws(() => create({ secret: SECRET, on: { 'invoice.paid': 'handlePaid' } }), /handler for "invoice\.paid" must be a function/);
      assert.throws(() => create({ secret: SECRET, on: { 'invoice.paid': [async () => {}, null] } }), /"invoice\.paid"/);
      const webhooks = create({ secret: SECRET });
      assert.throws(() => webhooks.on('invoice.paid', {}), /handler for "invoice\.paid" must be a function/);
      assert.throws(() => webhooks.on('', async () => {}), /event type/);
      assert.throws(() => webhooks.on([], async () => {}), /event type/);
    });

    it('bad values for the numeric and enum options throw', () => {
      for (const bad of [
        { tolerance: -1 }, { tolerance: '300' }, { leaseMs: 0 }, { leaseMs: 1.5 }, { maxAttempts: 0 },
        { maxBodyBytes: -5 }, { retry: { attempts: -1 } }, { retry: { backoffMs: Infinity } }, { retry: 3 },
        { ordering: 'strict' }, { logger: 'console' }, { logger: { warn: 1 } }, { store: {} }, { on: [] },
      ]) {
        assert.throws(() => create({ secret: SECRET, ...bad }), TypeError, JSON.stringify(bad));
      }
    });

    it("ordering: 'skip-stale' needs lastApplied and markApplied on the store", () => {
      const store = { claim() {}, complete() {}, fail() {}, close() {} };
      assert.doesNotThrow(() => createWebhookHandler({ secret: SECRET, store }));
      assert.throws(() => createWebhookHandler({ secret: SECRET, store, ordering: 'skip-stale' }), /lastApplied/);
    });

    it('creating a handler does no store work', () => {
      const store = counted(new MemoryStore());
      create({ secret: SECRET, store, on: { '*': async () => {} } });
      assert.ok(Object.values(store.calls).every((n) => n === 0), JSON.stringify(store.calls));
    });
  });

  describe('during next build (NEXT_PHASE=phase-production-build)', () => {
    it('a missing secret is reported at the first request instead of at creation', async () => {
      const previous = process.env.NEXT_PHASE;
      process.env.NEXT_PHASE = 'phase-production-build';
      let webhooks;
      const log = recordingLogger();
      try {
        webhooks = createWebhookHandler({ secret: process.env.HOOKWISE_TEST_UNSET_SECRET, store: new MemoryStore(), logger: log.logger });
      } finally {
        if (previous === undefined) delete process.env.NEXT_PHASE;
        else process.env.NEXT_PHASE = previous;
      }
      const { body, header } = delivery(makeEvent());
      await assert.rejects(webhooks.handle(body, header), /STRIPE_WEBHOOK_SECRET/);
      const res = await webhooks.fetch(new Request('http://x/', { method: 'POST', body, headers: { 'stripe-signature': header } }));
      assert.equal(res.status, 500);
      const answer = await res.json();
      assert.equal(answer.error, 'missing_secret');
      assert.match(answer.message, /STRIPE_WEBHOOK_SECRET/);
      assert.ok(log.lines.error.some(([l]) => /STRIPE_WEBHOOK_SECRET/.test(l)));
    });

    it('other mistakes still throw at creation', () => {
      const previous = process.env.NEXT_PHASE;
      process.env.NEXT_PHASE = 'phase-production-build';
      try {
        assert.throws(() => create({ secret: SECRET, bogus: 1 }), /unknown createWebhookHandler option/);
      } finally {
        if (previous === undefined) delete process.env.NEXT_PHASE;
        else process.env.NEXT_PHASE = previous;
      }
    });
  });
});
