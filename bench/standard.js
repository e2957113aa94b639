'use strict';
// Standard Webhooks verification (API.md section 9): hookwise next to the
// `standardwebhooks` and `svix` packages in one process and one run.
//
//   node bench/standard.js
//
// Rows: Clerk user.updated events of about 2, 14 and 130 KB (a Buffer, as
// express.raw() and arrayBuffer() give them), signed v1 with one whsec_ secret.
// Columns, µs per call, and competitor / hookwise ratios:
//   HMAC floor         node:crypto createHmac over the same bytes
//   standardwebhooks   new Webhook(secret) once, then .verify(): HMAC + JSON.parse
//   svix               new Webhook(secret) once, then .verify(): HMAC only (svix 2.x returns nothing)
//   hookwise           verifyStandardWebhook: HMAC + the event (its big members built on first read)
//   hookwise + data    the same, then event.data read (materialised): what standardwebhooks returns
//   async              verifyStandardWebhookAsync (large bodies on the libuv pool)
//   portable           hookwise/portable's verifyStandardWebhook (node:crypto) and ...Async (WebCrypto)
// then v1a (ed25519), which neither package verifies: native (libsodium) and portable (WebCrypto).
// Each figure is the median of 7 interleaved rounds (bench/support.js measureRounds): the
// machine is shared, and a round distorted by a load spike should not decide a ratio.
const crypto = require('node:crypto');
const os = require('node:os');
const { Webhook: StandardWebhook } = require('standardwebhooks');
const hookwise = require('..');
const portable = require('../lib/portable');
const { buildClerkEvent } = require('../lib/fixtures/clerk');
const { measureRounds, fmt, printTable } = require('./support');

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const KEY = Buffer.from(SECRET.slice(6), 'base64');

/** A Clerk user.updated event padded (public_metadata entries) to about `bytes`. */
function clerkBody(bytes) {
  const event = buildClerkEvent('user.updated', { userId: 'user_2bench0000000000000000000', at: 1_760_000_000_000 });
  const meta = event.data.public_metadata;
  let i = 0;
  while (JSON.stringify(event).length < bytes) {
    meta[`feature_${i}`] = { enabled: i % 3 !== 0, limit: 100 + i, note: `seat ${i} — plan ${i % 5}`, since: 1_760_000_000 + i };
    i += 1;
  }
  return JSON.stringify(event);
}

const ratio = (a, b) => `${(a / b).toFixed(1)}x`;

async function main() {
  const { Webhook: SvixWebhook } = await import('svix');
  const svixVersion = require('svix/package.json').version;
  const swVersion = require('standardwebhooks/package.json').version;
  console.log(`node ${process.version}, standardwebhooks ${swVersion}, svix ${svixVersion}, ${os.cpus()[0].model}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('\nv1 (HMAC-SHA256): µs per call (lower is better); ratio = competitor / hookwise (sync, event untouched)\n');
  const standard = new StandardWebhook(SECRET);
  const svix = new SvixWebhook(SECRET);
  const rows = [];
  for (const size of [2 * 1024, 14 * 1024, 130 * 1024]) {
    const body = Buffer.from(clerkBody(size));
    const headers = hookwise.signStandardWebhook({ id: 'msg_2benchAbCdEfGhIjKlMnOpQrStU', payload: body, secret: SECRET });
    const svixHeaders = { 'svix-id': headers['webhook-id'], 'svix-timestamp': headers['webhook-timestamp'], 'svix-signature': headers['webhook-signature'] };
    const ts = headers['webhook-timestamp'];
    // Sanity: every contender accepts this delivery.
    standard.verify(body, headers);
    svix.verify(body, svixHeaders);
    hookwise.verifyStandardWebhook(body, headers, SECRET);

    const m = await measureRounds({
      floor: () => crypto.createHmac('sha256', KEY).update(`${headers['webhook-id']}.${ts}.`).update(body).digest('base64'),
      sw: () => standard.verify(body, headers),
      sv: () => svix.verify(body, svixHeaders),
      hw: () => hookwise.verifyStandardWebhook(body, headers, SECRET),
      hwData: () => hookwise.verifyStandardWebhook(body, headers, SECRET).event.data,
      hwAsync: () => hookwise.verifyStandardWebhookAsync(body, headers, SECRET),
      pSync: () => portable.verifyStandardWebhook(body, headers, SECRET),
      pAsync: () => portable.verifyStandardWebhookAsync(body, headers, SECRET),
    });
    const { floor, sw, sv, hw, hwData, hwAsync, pSync, pAsync } = m;
    rows.push([
      `${(body.length / 1024).toFixed(1)} KB`, fmt(floor), fmt(sw), fmt(sv), fmt(hw), ratio(sw, hw), ratio(sv, hw),
      fmt(hwData), ratio(sw, hwData), fmt(hwAsync), fmt(pSync), fmt(pAsync),
    ]);
  }
  printTable(['size', 'HMAC floor', 'standardwebhooks', 'svix', 'hookwise', 'sw/hw', 'svix/hw',
    'hookwise + data', 'sw/(hw+data)', 'hookwise async', 'portable', 'portable async'], rows);

  console.log('\nv1a (ed25519, whpk_ key): µs per call; no JavaScript package verifies v1a\n');
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const whsk = `whsk_${Buffer.concat([Buffer.from(jwk.d, 'base64url'), Buffer.from(jwk.x, 'base64url')]).toString('base64')}`;
  const whpk = `whpk_${Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url').toString('base64')}`;
  const arows = [];
  for (const size of [2 * 1024, 14 * 1024, 130 * 1024]) {
    const body = Buffer.from(clerkBody(size));
    const headers = hookwise.signStandardWebhook({ id: 'msg_2benchAbCdEfGhIjKlMnOpQrStU', payload: body, secret: whsk });
    const { n, p, pa } = await measureRounds({
      n: () => hookwise.verifyStandardWebhook(body, headers, whpk),
      p: () => portable.verifyStandardWebhook(body, headers, whpk),
      pa: () => portable.verifyStandardWebhookAsync(body, headers, whpk),
    });
    arows.push([`${(body.length / 1024).toFixed(1)} KB`, fmt(n), fmt(p), fmt(pa)]);
  }
  printTable(['size', 'hookwise (libsodium)', 'portable (node:crypto)', 'portable async (WebCrypto)'], arows);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
