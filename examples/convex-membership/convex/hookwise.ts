// hookwise's store functions, deployed with the app (internal: not callable from clients).
export { claim, complete, fail, lastApplied, markApplied, get, list, requeue, purge, recordFailure } from 'hookwise/convex';
