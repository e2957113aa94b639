'use strict';
// Runs a bundle of hookwise/portable (an IIFE defining `hookwise`, built by
// esbuild for platform 'browser' or 'neutral') the way a runtime without Node
// built-ins would: `process`, `Buffer` and `require` are gone before the
// bundle is evaluated (no `require` in a script's scope, the other two deleted
// from globalThis), and, as in workerd, random values are refused while the
// module is evaluated and a handler and a store are created ("global scope").
// Prints one JSON line with what happened; test/js/portable.test.js checks it.
//
//   node no-node-runtime.js <bundle.js>
const fs = require('node:fs');
const vm = require('node:vm');
const nodeCrypto = require('node:crypto');

const code = fs.readFileSync(process.argv[2], 'utf8');
const out = process.stdout;
const exit = process.exit.bind(process);

// What WebCrypto sees: refusals while `globalScope` is true.
let globalScope = true;
const refusals = [];
const realCrypto = globalThis.crypto ?? nodeCrypto.webcrypto; // Node 18 has no global one
const subtle = realCrypto.subtle;
const webcrypto = {
  subtle,
  getRandomValues(array) {
    if (globalScope) {
      refusals.push('getRandomValues');
      throw new Error('Disallowed operation called within global scope');
    }
    return realCrypto.getRandomValues(array);
  },
  randomUUID() {
    if (globalScope) {
      refusals.push('randomUUID');
      throw new Error('Disallowed operation called within global scope');
    }
    return realCrypto.randomUUID();
  },
};
Object.defineProperty(globalThis, 'crypto', { value: webcrypto, configurable: true });
const realSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = (...args) => {
  if (globalScope) refusals.push('setTimeout');
  return realSetTimeout(...args);
};

// Node's fetch classes load undici lazily, and undici reads the global Buffer:
// load it now, while Buffer is still there (it is Node's, not hookwise's).
void new Request('http://localhost/', { method: 'POST', body: 'x' });
void new Response('x');

const saved = { process: globalThis.process, Buffer: globalThis.Buffer };
// Node's Response reads its body with the global Buffer (undici): the harness
// puts the globals back only while it reads an answer, never while hookwise runs.
async function withNodeGlobals(fn) {
  Object.assign(globalThis, saved);
  try {
    return await fn();
  } finally {
    // Node's Response and Request (undici) need the global Buffer while they are
// constructed: the ones hookwise sees get it back only for that moment.
const { Response: NodeResponse } = globalThis;
globalThis.Response = class Response extends NodeResponse {
  constructor(...args) {
    Object.assign(globalThis, saved);
    try {
      super(...args);
    } finally {
      delete globalThis.process;
      delete globalThis.Buffer;
    }
  }
};

delete globalThis.process;
    delete globalThis.Buffer;
  }
}

delete globalThis.process;
delete globalThis.Buffer;
// (`global` stays: Node's own fetch, Request and Response use it.)

const results = {};
const record = (name, fn) =>
  Promise.resolve()
    .then(fn)
    .then(
      (value) => { results[name] = { ok: true, value }; },
      (err) => { results[name] = { ok: false, name: err && err.name, code: err && err.code, message: err && err.message, stack: err && err.stack }; },
    );

(async () => {
  const hookwise = vm.runInThisContext(`${code}\n;hookwise`, { filename: 'bundle.js' });
  const secret = 'whsec_no_node';
  const now = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({ id: 'evt_nn', object: 'event', type: 'invoice.paid', created: now, data: { object: { id: 'in_1' } } });
  const sign = (t, key = secret) =>
    `t=${t},v1=${nodeCrypto.createHmac('sha256', key).update(`${t}.${body}`).digest('hex')}`;
  const handled = [];
  const webhooks = hookwise.createWebhookHandler({
    secret,
    store: new hookwise.MemoryStore({ name: 'no-node' }),
    logger: { info() {}, warn() {}, error() {} },
    on: { 'invoice.paid': async (event) => { handled.push(event.id); } },
  });
  globalScope = false; // the first request: random values and timers are allowed from here on

  results.implementation = hookwise.implementation;
  results.exports = Object.keys(hookwise).sort();
  await record('constructEventAsync', async () => (await hookwise.constructEventAsync(body, sign(now), secret)).id);
  await record('bytes', async () => (await hookwise.constructEventAsync(new TextEncoder().encode(body), sign(now), secret)).id);
  await record('constructEvent', () => hookwise.constructEvent(body, sign(now), secret));
  await record('verifyHeader', () => hookwise.verifyHeader(body, sign(now), secret));
  await record('parseEventNotification', () => hookwise.parseEventNotification(body, sign(now), secret));
  await record('generateTestHeaderString', () => hookwise.generateTestHeaderString({ payload: body, secret }));
  await record('generateTestHeaderStringAsync', () => hookwise.generateTestHeaderStringAsync({ payload: body, secret, timestamp: now }));
  await record('forgedAsync', () => hookwise.constructEventAsync(body, sign(now, 'whsec_forged'), secret));
  const post = async (header) => {
    const request = await withNodeGlobals(() => new Request('https://example.com/webhooks', {
      method: 'POST', body, headers: { 'stripe-signature': header, 'content-type': 'application/json' },
    }));
    const res = await webhooks.fetch(request);
    return { status: res.status, body: await withNodeGlobals(() => res.json()) };
  };
  await record('fetchSigned', () => post(sign(now)));
  await record('fetchDuplicate', () => post(sign(now)));
  await record('fetchForged', () => post(sign(now, 'whsec_forged')));
  await record('fetchExpired', () => post(sign(now - 3600)));
  await record('sqliteStore', () => new hookwise.SqliteStore({ path: 'x.db' }));
  // Standard Webhooks (API.md section 9): WebCrypto HMAC and Ed25519, no sync crypto.
  const { Buffer } = require('node:buffer'); // the harness's own (the global one is gone)
  const standardSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const standardBody = '{"type":"user.created","object":"event","data":{"id":"user_nn"}}';
  const content = `msg_nn.${now}.${standardBody}`;
  const v1 = `v1,${nodeCrypto.createHmac('sha256', Buffer.from(standardSecret.slice(6), 'base64')).update(content).digest('base64')}`;
  const { privateKey, publicKey } = nodeCrypto.generateKeyPairSync('ed25519');
  const v1a = `v1a,${nodeCrypto.sign(null, Buffer.from(content), privateKey).toString('base64')}`;
  const whpk = `whpk_${Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url').toString('base64')}`;
  const standardHeaders = (signature) => ({ 'webhook-id': 'msg_nn', 'webhook-timestamp': String(now), 'webhook-signature': signature });
  await record('standardAsync', async () => (await hookwise.verifyStandardWebhookAsync(standardBody, standardHeaders(v1), standardSecret)).event.data.id);
  await record('standardV1aAsync', async () => (await hookwise.verifyStandardWebhookAsync(new TextEncoder().encode(standardBody), standardHeaders(v1a), whpk)).id);
  await record('standardForgedAsync', () => hookwise.verifyStandardWebhookAsync(standardBody, standardHeaders(v1a.slice(0, -4) + 'AAA='), whpk));
  await record('standardSync', () => hookwise.verifyStandardWebhook(standardBody, standardHeaders(v1), standardSecret));
  await record('standardSign', () => hookwise.signStandardWebhook({ id: 'm', payload: standardBody, secret: standardSecret }));
  results.handled = handled;
  results.refusals = refusals;
  out.write(`${JSON.stringify(results)}\n`);
  exit(0);
})().catch((err) => {
  out.write(`${JSON.stringify({ crashed: String(err && err.stack) })}\n`);
  exit(1);
});
