// Vercel's edge-runtime: a service-worker script (bundled for edge-light),
// evaluated by its EdgeRuntime VM. The app is made at module scope.
import * as hookwise from 'hookwise';
import { makeApp } from './app.mjs';

const app = makeApp(hookwise);

addEventListener('fetch', (event) => {
  event.respondWith(app(event.request));
});
