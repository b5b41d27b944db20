/**
 * Vitest setup file of the kernel-path projects (vitest.config.ts): forces the path named by
 * HPS_TEST_KERNEL_PATH before the test file runs, so the same kernel, layer and parity tests run on
 * each path. selectKernelPath throws if the runtime cannot run that path: a path is never skipped.
 */
import { parseKernelPath, selectKernelPath } from "./index.ts";

const want = process.env.HPS_TEST_KERNEL_PATH;
if (want) selectKernelPath(parseKernelPath(want));
