// releaseStartupMemory: one memory-reducing collection, without leaving `gc` exposed.
import v8 from 'node:v8';
import { expect, it } from 'vitest';
import { releaseStartupMemory } from '../../src/ops/startupMemory.ts';

const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

it('collects what start-up left behind and shrinks the young generation', () => {
  // Made and dropped: garbage only a collection gives back.
  expect(Array.from({ length: 200_000 }, (_, i) => ({ i, text: `row ${i}` })).length).toBe(200_000);
  const before = { heap: process.memoryUsage().heapUsed, young: newSpace() };
  const ms = releaseStartupMemory();
  expect(ms).toBeGreaterThanOrEqual(0);
  expect(process.memoryUsage().heapUsed).toBeLessThan(before.heap);
  expect(newSpace()).toBeLessThanOrEqual(before.young);
  // The flag was set only to fetch V8's function: nothing new is left on the global object.
  expect('gc' in globalThis).toBe(false);
});
