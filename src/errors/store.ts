// What the store throws that clients may see, defined here, below the store, so the one
// error mapping (index.ts) needs nothing from the connectors.

/** A unique constraint refused the write; `field` names the input at fault. */
export class StoreConflictError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'StoreConflictError';
  }
}

/** Bad input the store detected (e.g. a cursor it did not issue); `field` names the argument. */
export class StoreInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'StoreInputError';
  }
}

/** The database cannot be reached right now; the request may succeed when it is back. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
