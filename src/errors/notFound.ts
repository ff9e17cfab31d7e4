// What a DataLoader gives for a key that has no object (DataLoader's contract: an Error per
// missing key, never a bare null). A lookup field whose schema says "null when there is none"
// turns it into null (orNull); a mutation lets it through as NOT_FOUND naming its input field.
export class NotFoundError extends Error {
  constructor(
    readonly kind: string,
    readonly id: string,
    /** The argument that named it, when the client did. */
    readonly field?: string,
  ) {
    super(`No ${kind} ${id}`);
    this.name = 'NotFoundError';
  }

  /** The same miss, charged to the argument that asked for it. */
  at(field: string): NotFoundError {
    return new NotFoundError(this.kind, this.id, field);
  }
}

/** A nullable lookup: a missing object is null; any other failure stays an error. */
export async function orNull<T>(lookup: Promise<T> | T): Promise<T | null> {
  try {
    return await lookup;
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

/** A mutation's lookup: a missing object is NOT_FOUND naming `field`. */
export async function required<T>(lookup: Promise<T>, field: string): Promise<T> {
  try {
    return await lookup;
  } catch (err) {
    throw err instanceof NotFoundError ? err.at(field) : err;
  }
}
