// workerd (Cloudflare Workers): an ES module worker, bundled as wrangler does
// (conditions workerd, worker, browser). The app is made at module scope.
import * as hookwise from 'hookwise';
import { makeApp } from './app.mjs';

const app = makeApp(hookwise);

export default {
  fetch: (request) => app(request),
};
