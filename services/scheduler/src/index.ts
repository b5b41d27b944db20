export { startScheduler, type Scheduler, type SchedulerOptions, type SchedulerLogger } from "./scheduler.ts";
export { Reconciler, PlanningError, type ReconcilerOptions, type ReconcileResult, type TrialEnqueuer, type ReconcilerLogger } from "./reconciler.ts";
export { readSchedulerEnv, schedulerFields, SchedulerEnvVars, type SchedulerEnv } from "./env.ts";
