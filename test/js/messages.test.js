'use strict';
// The wording of argument errors: describe() names what was passed with the
// right article ("got undefined", "got an array", "got a string"), never
// "got a undefined", wherever lib/ reports a wrong argument.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const args = require('../../lib/args');
const hookwise = require('../../lib');

describe('describe(value): what an argument error says it got', () => {
  it('names each kind with its article', () => {
    const cases = [
      [undefined, 'undefined'],
      [null, 'null'],
      ['whsec_x', 'a string'],
      [42, 'a number'],
      [true, 'a boolean'],
      [1n, 'a bigint'],
      [Symbol('s'), 'a symbol'],
      [() => {}, 'a function'],
      [[], 'an array'],
      [{}, 'an object'],
      [Object.create(null), 'an object'],
      [new (class {})(), 'an object'],
      [Buffer.from('x'), 'a Buffer'],
      [new Uint8Array(1), 'a Uint8Array'],
      [new ArrayBuffer(1), 'an ArrayBuffer'],
      [new Error('x'), 'an Error'],
      [new Map(), 'a Map'],
      [new Date(0), 'a Date'],
    ];
    for (const [value, expected] of cases) assert.equal(args.describe(value), expected, String(expected));
  });

  it('reads that way in the errors users see', () => {
    const message = (fn) => {
      try {
        fn();
      } catch (err) {
        return err.message;
      }
      assert.fail('did not throw');
    };
    assert.match(message(() => hookwise.generateTestHeaderString({ payload: '{}' })), /secret must be a string, got undefined$/);
    assert.match(message(() => hookwise.constructEvent('{}', ['t=1'], 'whsec_x')), /, got an array$/);
    assert.match(message(() => hookwise.constructEvent('{}', 't=1,v1=00', 42)), /, got a number$/);
    assert.match(
      message(() => hookwise.createWebhookHandler({ secret: 'whsec_x', on: { 'invoice.paid': 'grantAccess' } })),
      /must be a function .*, got a string$/,
    );
    assert.match(message(() => hookwise.createWebhookHandler({ secret: 'whsec_x', on: { 'invoice.paid': undefined } })), /, got undefined$/);
    assert.match(message(() => new hookwise.MemoryStore({ name: {} })), /, got an object$/);
  });
});
