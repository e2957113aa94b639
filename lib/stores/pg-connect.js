'use strict';
// Taking a client out of a pg Pool with an 'error' listener on it from the
// first moment. A pg client whose connection dies while it is checked out
// emits 'error'; unheard, EventEmitter throws it and the app's process dies.
// `await pool.connect()` leaves a gap: for a new connection, pg-pool takes its
// own listener off and settles the promise from inside the parse of the TCP
// chunk that completed the handshake; the rest of that chunk is parsed before
// the `await` resumes, and if it holds the server's FATAL "terminating
// connection" (the server being killed), that error is emitted on a client
// nobody listens to. Found by the crash test (test/chaos/), with PostgreSQL
// SIGKILLed under load. pg-pool calls a callback given to connect()
// synchronously, in that same step, so the listener added there is in time.

/**
 * Resolves a client from `pool` with `onError` listening on it; the caller
 * removes it before release. Pools whose connect() takes no callback (not pg's)
 * are used through their promise.
 */
function connectListening(pool, onError) {
  if (pool.connect.length === 0) {
    return pool.connect().then((client) => {
      client.on('error', onError);
      return client;
    });
  }
  return new Promise((resolve, reject) => {
    pool.connect((err, client) => {
      if (err) return reject(err);
      client.on('error', onError);
      resolve(client);
    });
  });
}

module.exports = { connectListening };
