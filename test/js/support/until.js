'use strict';
// Waiting in a test for something another process or socket does a moment
// later (a server's log line through its pipe, a handler settling after an
// abort): polls `predicate` and fails with `what` once `timeoutMs` has passed.
const assert = require('node:assert/strict');

async function until(predicate, what, timeoutMs = 5000) {
  for (const deadline = Date.now() + timeoutMs; !predicate(); ) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

module.exports = { until };
