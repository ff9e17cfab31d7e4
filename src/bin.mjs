#!/usr/bin/env node
// The `switchyard` executable. Runs the JavaScript build (dist/, made by `npm run build`, which
// npm install and npm start run) when it is current, so production loads no compiler; otherwise
// the TypeScript sources through tsx, so an edit made since the last build runs as it is (see
// src/dist.mjs for what "current" means). `NODE_DEBUG=switchyard` says which one runs.
import { pathToFileURL } from 'node:url';
import { debuglog } from 'node:util';
import { ENTRY, distIsCurrent } from './dist.mjs';

const debug = debuglog('switchyard');
if (distIsCurrent()) {
  debug('running the build in dist/');
  await import(pathToFileURL(ENTRY).href);
} else {
  debug('dist/ is missing or older than the sources: running the sources through tsx');
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
