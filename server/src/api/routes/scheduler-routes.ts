import type { ApiRoutes } from '../route.js';
import { z } from '../openapi-zod.js';
import { CURSOR_PARAM, ID_PARAMS, LIMIT_PARAM } from './common.js';
import { EXECUTION_STATUSES, EXECUTION_TRIGGERS, type SchedulerService } from '../../scheduler/index.js';

const JOB_PARAMS = z.object({ job: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a job name') });

const EXECUTION = z
  .object({
    id: z.number().int(),
    job: z.string(),
    trigger: z.enum(EXECUTION_TRIGGERS),
    scheduledFor: z.string().nullable().openapi({ description: 'The occurrence a scheduled run is for.' }),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    status: z.enum(EXECUTION_STATUSES),
    summary: z.record(z.string(), z.unknown()).nullable(),
    error: z.string().nullable(),
    retryOf: z.number().int().nullable(),
  })
  .openapi('SchedulerExecution');

const JOB = z
  .object({
    job: z.string(),
    description: z.string(),
    schedule: z.string(),
    defaultSchedule: z.string(),
    enabled: z.boolean(),
    options: z.record(z.string(), z.unknown()),
    nextRunAt: z.string().nullable(),
    lastExecution: EXECUTION.nullable(),
  })
  .openapi('SchedulerJob');

const JOB_PATCH = z
  .object({
    enabled: z.boolean().optional(),
    schedule: z
      .string()
      .max(200)
      .optional()
      .openapi({ description: "later text ('every 1 hour', 'at 03:00 on Sunday') or cron (5 or 6 fields)." }),
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const EXECUTIONS_QUERY = z
  .object({
    job: z.string().max(64).optional(),
    status: z.enum(EXECUTION_STATUSES).optional(),
    cursor: CURSOR_PARAM.optional(),
    limit: LIMIT_PARAM.optional(),
  })
  .strict();

const STARTED = z.object({ executionId: z.number().int() });

export function registerSchedulerRoutes(routes: ApiRoutes, deps: { scheduler: SchedulerService }): void {
  const { scheduler } = deps;
  routes.add({
    method: 'get',
    path: '/api/scheduler/jobs',
    summary: 'The maintenance jobs with their schedules, next run and last result.',
    tag: 'scheduler',
    access: 'admin',
    responses: { 200: { description: 'Every job', schema: z.object({ items: z.array(JOB) }) } },
    handler: async () => ({ body: { items: await scheduler.listJobs() } }),
  });
  routes.add({
    method: 'patch',
    path: '/api/scheduler/jobs/:job',
    summary: "Changes a job's schedule, enabled flag or options; answers with its next five run times.",
    tag: 'scheduler',
    access: 'admin',
    params: JOB_PARAMS,
    body: JOB_PATCH,
    responses: {
      200: { description: 'The job', schema: JOB.extend({ nextRuns: z.array(z.string()) }) },
      404: { description: 'No such job' },
    },
    handler: async ({ params, body, principal }) => ({
      body: await scheduler.updateJob(principal, params.job, body),
    }),
  });
  routes.add({
    method: 'post',
    path: '/api/scheduler/jobs/:job/run',
    summary: 'Runs a job now; answers with the execution id once it has started.',
    tag: 'scheduler',
    access: 'admin',
    params: JOB_PARAMS,
    responses: {
      202: { description: 'Started', schema: STARTED },
      404: { description: 'No such job' },
      409: { description: 'The job is running' },
    },
    handler: async ({ params, principal }) => ({
      status: 202,
      body: { executionId: await scheduler.runNow(principal, params.job) },
    }),
  });
  routes.add({
    method: 'get',
    path: '/api/scheduler/executions',
    summary: 'Run history, newest first, with cursor pagination.',
    tag: 'scheduler',
    access: 'admin',
    query: EXECUTIONS_QUERY,
    responses: {
      200: {
        description: 'A page of executions',
        schema: z.object({ items: z.array(EXECUTION), nextCursor: z.number().int().nullable() }),
      },
    },
    handler: async ({ query }) => ({
      body: await scheduler.executions({
        job: query.job,
        status: query.status,
        cursor: query.cursor,
        limit: query.limit ?? 50,
      }),
    }),
  });
  routes.add({
    method: 'get',
    path: '/api/scheduler/executions/:id',
    summary: 'One execution.',
    tag: 'scheduler',
    access: 'admin',
    params: ID_PARAMS,
    responses: {
      200: { description: 'The execution', schema: EXECUTION },
      404: { description: 'Not found' },
    },
    handler: async ({ params }) => ({ body: await scheduler.execution(params.id) }),
  });
  routes.add({
    method: 'post',
    path: '/api/scheduler/executions/:id/cancel',
    summary: 'Cancels a running execution (its job gets an abort signal).',
    tag: 'scheduler',
    access: 'admin',
    params: ID_PARAMS,
    responses: {
      200: { description: 'The cancelled execution', schema: EXECUTION },
      404: { description: 'Not found' },
      409: { description: 'It is not running' },
    },
    handler: async ({ params, principal }) => ({ body: await scheduler.cancel(principal, params.id) }),
  });
  routes.add({
    method: 'post',
    path: '/api/scheduler/executions/:id/retry',
    summary: "Runs a failed execution's job again; answers with the new execution id.",
    tag: 'scheduler',
    access: 'admin',
    params: ID_PARAMS,
    responses: {
      202: { description: 'Started', schema: STARTED },
      404: { description: 'Not found' },
      409: { description: 'It did not fail, or the job is running' },
    },
    handler: async ({ params, principal }) => ({
      status: 202,
      body: { executionId: await scheduler.retry(principal, params.id) },
    }),
  });
}
