'use strict';
// createWebhookHandler({ scheme: 'standard' }) (API.md section 9): the
// handler's verify step for Standard Webhooks senders (Clerk, Svix, Resend),
// and the check of its `secret` at creation. The rest of the pipeline (claim,
// dispatch, retries, dead letters, answers) is the Stripe one, unchanged:
// this module only hands it { event, envelope } with
//   envelope.id      = the webhook-id header (Svix's message id: the dedup key),
//   envelope.type    = the body's `type` (Clerk's "user.created", ...),
//   envelope.created = the webhook-timestamp (seconds, as Stripe's `created`),
//   envelope.objectId undefined (no data.object: ordering does not apply).
const { WebhookConfigError, StandardWebhookVerificationError } = require('../errors');
const { isString, isBlank, invalidArgument } = require('../args');
const { prepareStandard, checkStandardCode, ownedBytes } = require('./verify');
const { checkKeys, VERIFYING_KINDS } = require('./keys');

function missingSecretError(detail) {
  return new WebhookConfigError(
    `hookwise: createWebhookHandler({ scheme: 'standard' }) needs the endpoint's signing secret, ${detail}. ` +
      "Pass { scheme: 'standard', secret: process.env.CLERK_WEBHOOK_SIGNING_SECRET } (Clerk) or your sender's " +
      '"whsec_..." signing secret (Svix, Resend), or a "whpk_..." public key for v1a signatures.',
    'missing_secret',
  );
}

/** handler-options' checkSecret for the standard scheme: { secrets } or { error } (deferred during `next build`). */
function checkStandardSecret(secret) {
  if (secret === undefined || secret === null) return { error: missingSecretError('and none was given') };
  const list = Array.isArray(secret) ? secret : [secret];
  if (list.length === 0) return { error: missingSecretError('and an empty array was given') };
  list.forEach((s, i) => {
    if (!isString(s)) throw invalidArgument(Array.isArray(secret) ? `secret[${i}]` : 'secret', 'a whsec_/whpk_ string', s);
  });
  if (list.some((s) => isBlank(s))) {
    return { error: missingSecretError('and it is empty (is CLERK_WEBHOOK_SIGNING_SECRET set in this environment?)') };
  }
  try {
    checkKeys(list, VERIFYING_KINDS);
  } catch (err) {
    if (!(err instanceof StandardWebhookVerificationError)) throw err;
    const spaced = list.some((s) => /\s/.test(s)) ? ' It contains whitespace: trim the value (a trailing newline in .env?).' : '';
    throw new WebhookConfigError(`hookwise: ${err.message}${spaced}`, 'bad_secret');
  }
  return { secrets: list.slice() };
}

/** The handler's verifier for the standard scheme (see lib/scheme-verifier.js). */
function standardVerifier(engine, config) {
  return {
    what: 'a Standard Webhooks event (it has no string "type")',
    async verify(rawBody, headers) {
      // A private copy of bytes: the parse comes after an `await`, and handle()'s caller owns its buffer.
      const p = ownedBytes(prepareStandard(rawBody, headers, config.secrets, { tolerance: config.tolerance }));
      checkStandardCode(await engine.standardVerifyAsync(p), p);
      const { event, envelope } = engine.parseVerified(p.raw, true);
      return { event, envelope: { ...envelope, id: p.id, created: Number(p.timestamp), objectId: undefined, objectType: undefined } };
    },
  };
}

module.exports = { standardVerifier, checkStandardSecret };
