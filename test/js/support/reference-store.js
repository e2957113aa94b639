'use strict';
// The store of the handler and CLI tests that need to steer time or count
// calls: the portable MemoryStore (lib/engine/portable/memory-store.js, held
// to the Store contract like every store, and by
// test/js/native-stores-contract.test.js in this very form) with
// - `now`: a clock function the store follows (a test moves it to expire a
//   lease in the middle of a handler), applied through the store's testing
//   clock hook before each operation;
// - `calls`: how often the handler called claim, complete, fail and close.
// It used to be a separate plain-JS Store that no contract held (issue 14).
const { MemoryStore } = require('../../../lib/engine/portable/memory-store');
const { ADVANCE_CLOCK } = require('../../../lib/stores/store-args');

const COUNTED = ['claim', 'complete', 'fail', 'close'];

class ReferenceStore extends MemoryStore {
  #now;
  #offset = 0;

  constructor({ now, ...options } = {}) {
    super(options);
    this.#now = now ?? null;
    this.calls = Object.fromEntries(COUNTED.map((m) => [m, 0]));
  }

  // Moves the store's clock to this.#now() (back too: the hook adds any offset).
  follow(method) {
    if (COUNTED.includes(method)) this.calls[method]++;
    if (this.#now !== null) this[ADVANCE_CLOCK](this.#now() - Date.now() - this.#offset);
  }

  [ADVANCE_CLOCK](ms) {
    this.#offset += ms;
    super[ADVANCE_CLOCK](ms);
  }

  claim(...args) { this.follow('claim'); return super.claim(...args); }
  complete(...args) { this.follow('complete'); return super.complete(...args); }
  fail(...args) { this.follow('fail'); return super.fail(...args); }
  lastApplied(...args) { this.follow('lastApplied'); return super.lastApplied(...args); }
  markApplied(...args) { this.follow('markApplied'); return super.markApplied(...args); }
  get(...args) { this.follow('get'); return super.get(...args); }
  list(...args) { this.follow('list'); return super.list(...args); }
  requeue(...args) { this.follow('requeue'); return super.requeue(...args); }
  purge(...args) { this.follow('purge'); return super.purge(...args); }
  close() { this.follow('close'); return super.close(); }
}

module.exports = { ReferenceStore };
