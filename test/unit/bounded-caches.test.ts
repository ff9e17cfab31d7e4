// The in-process caches are bounded by count without lru-cache's preallocation (maxSize with a
// size of 1 per entry): the bound and the expiry must hold as they did with `max`.
import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryCacheStore } from '../../src/pipeline/cache/memory.ts';
import { SharedMarks } from '../../src/pipeline/marks.ts';

const entry = (value: unknown) => ({ value, storedAt: Date.now(), freshUntil: Date.now() + 60_000 });

describe('MemoryCacheStore', () => {
  it('keeps at most maxEntries, letting the least recently used go, and forgets it in its tags', async () => {
    const cache = new MemoryCacheStore(3);
    for (const k of ['a', 'b', 'c']) await cache.set(k, entry(k), 60_000, [`tag:${k}`, 'all']);
    await cache.get('a'); // a is now the most recently used: b goes first
    await cache.set('d', entry('d'), 60_000, ['tag:d', 'all']);
    expect(await cache.get('b')).toBeUndefined();
    for (const k of ['a', 'c', 'd']) expect((await cache.get(k))?.value).toBe(k);
    await cache.set('b', entry('b2'), 60_000, ['tag:b']);
    await cache.invalidate(['all']);
    // b came back after the invalidated tag forgot it; the others were in the tag.
    expect((await cache.get('b'))?.value).toBe('b2');
    for (const k of ['a', 'c', 'd']) expect(await cache.get(k)).toBeUndefined();
  });

  it('drops an entry once it is past the time it is retained for', async () => {
    const cache = new MemoryCacheStore(10);
    await cache.set('short', entry(1), 20, []);
    await cache.set('long', entry(2), 60_000, []);
    await sleep(40);
    expect(await cache.get('short')).toBeUndefined();
    expect((await cache.get('long'))?.value).toBe(2);
  });
});

describe('SharedMarks without Redis', () => {
  it('keeps at most maxLocal marks and each only for its time', async () => {
    const marks = new SharedMarks(undefined, 'mark:', 2);
    await marks.set('one', 60_000);
    await marks.set('two', 60_000);
    await marks.set('three', 60_000);
    expect([...(await marks.which(['one', 'two', 'three']))].sort()).toEqual(['three', 'two']);
    await marks.set('brief', 20);
    await sleep(40);
    expect(await marks.which(['brief', 'three'])).toEqual(new Set(['three']));
  });
});
