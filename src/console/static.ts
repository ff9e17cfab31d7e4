// The console's built files (Vite's output in dist/console/, made by `npm run build:console`,
// which `npm install` and a stale `npm start` run). Hashed assets are cached for a year; every
// other path under /console answers index.html (the page routes itself), never cached. Every
// answer carries a strict Content Security Policy: only the server's own scripts, styles and
// connections, no inline code, no frames.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** The repository's root: the nearest folder above this file with a package.json (sources and build alike). */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('no package.json above the console module');
    dir = up;
  }
  return dir;
}

export const CONSOLE_DIST = path.join(projectRoot(), 'dist', 'console');

export function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin');
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Switchyard console</title></head>
<body><h1>The console is not built</h1><p>Run <code>npm run build:console</code> (or <code>npm install</code>), then reload.</p></body></html>`;

export async function registerConsoleStatic(app: FastifyInstance, dir = CONSOLE_DIST): Promise<void> {
  const assets = path.join(dir, 'assets');
  if (existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: '/console/assets/',
      // Vite names each file by its content's hash: a new build is a new name.
      immutable: true,
      maxAge: '365d',
      index: false,
      setHeaders: (res) => void securityHeaders(res),
    });
  }
  let page: string | undefined;
  const index = (request: FastifyRequest, reply: FastifyReply) => {
    // A missing asset is missing (an old page asking for a file of an earlier build), not the page.
    if (request.url.startsWith('/console/assets/')) return reply.callNotFound();
    const file = path.join(dir, 'index.html');
    // Read once it exists (a build after the server started is picked up on the next load).
    page ??= existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    securityHeaders(reply).header('cache-control', 'no-cache').type('text/html; charset=utf-8');
    return reply.status(page ? 200 : 503).send(page ?? NOT_BUILT);
  };
  app.get('/console', index);
  app.get('/console/', index);
  app.get('/console/*', index);
}
