/** A spec name that no constructor is registered for (a bug or a config the core cannot train). */
export class UnknownNameError extends Error {
  readonly code = "unknown_name";
  constructor(readonly what: string, readonly value: string, known: readonly string[]) {
    super(`unknown ${what} "${value}" (known: ${known.join(", ")})`);
    this.name = "UnknownNameError";
  }
}
