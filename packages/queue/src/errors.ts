/** An invalid queue option; the message names the option and the value. */
export class QueueOptionError extends Error {
  readonly code = "invalid_queue_option";
  constructor(option: string, value: unknown, expected: string) {
    super(`invalid queue option ${option}=${JSON.stringify(value)}: expected ${expected}`);
    this.name = "QueueOptionError";
  }
}

/** start() twice, or enqueue/start after close(). */
export class QueueStateError extends Error {
  readonly code = "invalid_queue_state";
  constructor(message: string) {
    super(message);
    this.name = "QueueStateError";
  }
}
