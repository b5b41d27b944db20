// Entry of a training thread: registers tsx's loader in this thread (worker threads do not
// inherit it when the process was not started by the tsx CLI, e.g. under vitest), then loads
// the TypeScript body.
import { register } from "tsx/esm/api";

register();
await import("./train-thread.ts");
