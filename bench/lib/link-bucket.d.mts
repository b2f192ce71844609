// Types of link-bucket.mjs, for the TypeScript test that checks its accounting.
export declare class Link {
  constructor(rate: number, now?: () => number);
  rate: number;
  freeAt: number;
  burstMs: number;
  bytes: number;
  reserve(n: number): number;
  readonly slice: number;
}
export declare function passThrough(
  own: Link,
  total: Link,
  n: number,
  sleep: (ms: number) => Promise<unknown>,
): Promise<[number, number]>;
