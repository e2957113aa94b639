'use strict';
// generateTestHeaderString: the header stripe-node's helper returns for the
// same options, signed by the engine's HMAC.
const { isString, isBytes, invalidArgument } = require('./args');

function prepare(opts) {
  if (!opts || typeof opts !== 'object') throw new TypeError('hookwise: Options are required');
  // stripe-node's rules: a falsy timestamp means "now"; fractions are floored.
  const timestamp = (opts.timestamp && Math.floor(opts.timestamp)) || Math.floor(Date.now() / 1000);
  const scheme = opts.scheme || 'v1';
  if (!opts.signature && !isString(opts.secret) && !isBytes(opts.secret)) {
    throw invalidArgument('secret', 'a string', opts.secret);
  }
  return { opts, timestamp, scheme, signed: `${timestamp}.${opts.payload}` };
}

function createTestHeaders(engine) {
  const format = (p, signature) => `t=${p.timestamp},${p.scheme}=${signature}`;

  function generateTestHeaderString(opts) {
    const p = prepare(opts);
    return format(p, p.opts.signature || engine.hmacSha256Hex(p.signed, p.opts.secret, 'generateTestHeaderStringAsync'));
  }

  async function generateTestHeaderStringAsync(opts) {
    const p = prepare(opts);
    return format(p, p.opts.signature || (await engine.hmacSha256HexAsync(p.signed, p.opts.secret)));
  }

  return { generateTestHeaderString, generateTestHeaderStringAsync };
}

module.exports = { createTestHeaders };
