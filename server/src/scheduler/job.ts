import type { z } from 'zod';
import type { Logger } from '../logging/logger.js';

/** Why a run started. */
export type ExecutionTrigger = 'manual' | 'schedule' | 'catch-up' | 'retry';
export const EXECUTION_TRIGGERS = ['manual', 'schedule', 'catch-up', 'retry'] as const;

/** Where a run is. */
export type ExecutionStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';
export const EXECUTION_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const;

/** What a job gets for one run. */
export interface JobContext<O> {
  /** Aborted when an admin cancels the run or the server stops. Jobs check it between steps. */
  readonly signal: AbortSignal;
  /** The job's options, validated against its schema (defaults filled in). */
  readonly options: O;
  readonly trigger: ExecutionTrigger;
  readonly executionId: number;
  /** The server clock, in ms since the epoch. */
  readonly now: () => number;
  readonly logger: Logger;
}

/** A named maintenance job the scheduler runs. */
export interface JobDefinition<O = Record<string, unknown>> {
  /** snake_case name, stable: it keys configs, executions and the `job` metric label. */
  readonly name: string;
  readonly description: string;
  /** later text or cron; used until an admin sets another. */
  readonly defaultSchedule: string;
  /** Validates and fills in the job's options (an object schema, strict). */
  readonly options: z.ZodType<O>;
  /**
   * Does the work and returns a JSON summary for the execution record.
   * Throws to fail the run; the error's message is recorded.
   */
  run(ctx: JobContext<O>): Promise<Record<string, unknown>>;
}

/** A job of any option type (`run` is a method, so its parameter is checked bivariantly). */
export type AnyJobDefinition = JobDefinition<unknown>;

/** Types a job definition by its options schema (the output type of `options` types `run`'s options). */
export function defineJob<O>(job: JobDefinition<O>): JobDefinition<O> {
  return job;
}
