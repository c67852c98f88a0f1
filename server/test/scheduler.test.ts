import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { defineJob } from '../src/scheduler/index.js';
import { startMonitoredServer, type ApiBody, type MonitoredServer } from './monitoring-support.js';

const HOUR = 3_600_000;

/** A job that runs until it is cancelled, for the cancel test. */
const waitJob = defineJob({
  name: 'test_wait',
  description: 'Waits for its abort signal (tests only).',
  defaultSchedule: 'at 01:00 on Sunday',
  options: z.object({}).strict(),
  run: ({ signal }) =>
    new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => {
        reject(new Error('aborted'));
      });
    }),
});

async function executionsOf(s: MonitoredServer, job: string): Promise<ApiBody[]> {
  const body = await s.api('get', `/api/scheduler/executions?job=${job}&limit=500`, 200);
  return body.items as ApiBody[];
}

describe('scheduler', () => {
  let s: MonitoredServer;
  before(async () => {
    s = await startMonitoredServer({ startOptions: { monitoring: { extraJobs: [waitJob] } } });
    // It runs until cancelled: left on its schedule, a test that moves the clock past Sunday 01:00 (run between
    // Saturday 23:00 and Sunday 01:00) would start it and wait for it forever. It is run by hand below.
    await s.api('patch', '/api/scheduler/jobs/test_wait', 200, { enabled: false });
  });
  after(async () => {
    await s.t.close();
  });

  it('lists every job with its schedule and next run', async () => {
    const { items } = await s.api('get', '/api/scheduler/jobs', 200);
    const names = items.map((j: { job: string }) => j.job);
    for (const job of [
      'raid_scrub',
      'smart_scan',
      'quota_reconcile',
      'upload_cleanup',
      'audit_retention',
      'database_backup',
    ]) {
      assert.ok(names.includes(job), job);
    }
    const smart = items.find((j: { job: string }) => j.job === 'smart_scan');
    assert.equal(smart.schedule, 'every 1 hour');
    assert.equal(smart.enabled, true);
    assert.ok(Date.parse(smart.nextRunAt) > s.clock.nowMs);
  });

  it('runs every job now through the API and records a succeeded execution with a summary', async () => {
    const { items } = await s.api('get', '/api/scheduler/jobs', 200);
    for (const { job } of items as { job: string }[]) {
      if (job === 'test_wait') continue;
      const { executionId } = await s.api('post', `/api/scheduler/jobs/${job}/run`, 202);
      await s.t.server.services.scheduler.settled();
      const execution = await s.api('get', `/api/scheduler/executions/${executionId}`, 200);
      assert.equal(execution.status, 'succeeded', `${job}: ${execution.error}`);
      assert.equal(execution.trigger, 'manual');
      assert.equal(typeof execution.summary, 'object', job);
      assert.notEqual(execution.summary, null, job);
      assert.ok(execution.finishedAt, job);
    }
    const backup = (await executionsOf(s, 'database_backup'))[0];
    assert.match(backup.summary.file, /^baluhost-\d{8}T\d{6}Z\.(sqlite|dump)$/);
    assert.ok(backup.summary.bytes > 0);
    const audit = await s.api('get', '/api/audit?action=scheduler.run_job', 200);
    assert.ok(audit.items.length >= 6);
  });

  it('records a failing run as failed with its error, and retries it', async () => {
    const other = await startMonitoredServer();
    try {
      // A file where the backups folder should be: the backup cannot be written, even by root.
      await writeFile(path.join(other.t.dataDir, 'backups'), 'not a folder');
      const { executionId } = await other.api('post', '/api/scheduler/jobs/database_backup/run', 202);
      await other.t.server.services.scheduler.settled();
      const failed = await other.api('get', `/api/scheduler/executions/${executionId}`, 200);
      assert.equal(failed.status, 'failed');
      assert.match(failed.error, /EEXIST|ENOTDIR|exists|not a directory/i);
      const retried = await other.api('post', `/api/scheduler/executions/${executionId}/retry`, 202);
      await other.t.server.services.scheduler.settled();
      const again = await other.api('get', `/api/scheduler/executions/${retried.executionId}`, 200);
      assert.equal(again.trigger, 'retry');
      assert.equal(again.retryOf, executionId);
      assert.equal(again.status, 'failed');
      // Only failed runs can be retried.
      const { executionId: ok } = await other.api('post', '/api/scheduler/jobs/upload_cleanup/run', 202);
      await other.t.server.services.scheduler.settled();
      const refused = await other.api('post', `/api/scheduler/executions/${ok}/retry`, 409);
      assert.match(refused.error.message, /only a failed execution/i);
      const failedList = await other.api('get', '/api/scheduler/executions?status=failed', 200);
      assert.equal(failedList.items.length, 2);
    } finally {
      await other.t.close();
    }
  });

  it('refuses an invalid schedule with a message naming the problem', async () => {
    const text = await s.api('patch', '/api/scheduler/jobs/smart_scan', 400, { schedule: 'every 1 hourz' });
    assert.equal(text.error.code, 'VALIDATION_FAILED');
    assert.match(text.error.message, /every 1 hourz.*character 9/);
    const cron = await s.api('patch', '/api/scheduler/jobs/smart_scan', 400, { schedule: '99 * * * *' });
    assert.match(cron.error.message, /minute field value 99 is out of range \(0-59\)/);
    const options = await s.api('patch', '/api/scheduler/jobs/audit_retention', 400, {
      options: { days: 0 },
    });
    assert.match(options.error.message, /options\.days/);
    const job = await s.api('patch', '/api/scheduler/jobs/no_such_job', 404, { enabled: true });
    assert.match(job.error.message, /No job no_such_job/);
  });

  it('answers a schedule change with the next five run times, and audits it', async () => {
    const body = await s.api('patch', '/api/scheduler/jobs/audit_retention', 200, {
      schedule: '0 3 * * 0',
      options: { days: 30 },
    });
    assert.equal(body.schedule, '0 3 * * 0');
    assert.deepEqual(body.options, { days: 30 });
    assert.equal(body.nextRuns.length, 5);
    const times = body.nextRuns.map((t: string) => Date.parse(t));
    for (let i = 1; i < 5; i++) assert.equal(times[i] - times[i - 1], 7 * 24 * HOUR);
    for (const t of body.nextRuns) assert.equal(new Date(t).getDay(), 0);
    const audit = await s.api('get', '/api/audit?action=scheduler.update_job', 200);
    assert.equal(audit.items[0].target, 'audit_retention');
    assert.equal(audit.items[0].details.schedule, '0 3 * * 0');
  });

  it('runs an enabled job when due, and does not run a disabled one', async () => {
    await s.api('patch', '/api/scheduler/jobs/upload_cleanup', 200, {
      schedule: 'every 1 hour',
      enabled: true,
    });
    await s.api('patch', '/api/scheduler/jobs/quota_reconcile', 200, {
      schedule: 'every 1 hour',
      enabled: false,
    });
    const before = (await executionsOf(s, 'quota_reconcile')).length;
    const cleanupBefore = (await executionsOf(s, 'upload_cleanup')).length;
    s.clock.advance(2 * HOUR);
    await s.t.server.services.scheduler.tick();
    await s.t.server.services.scheduler.settled();
    assert.equal((await executionsOf(s, 'quota_reconcile')).length, before);
    const cleanup = await executionsOf(s, 'upload_cleanup');
    assert.equal(cleanup.length, cleanupBefore + 1, 'two missed hours run once');
    assert.equal(cleanup[0].trigger, 'schedule');
    assert.equal(cleanup[0].status, 'succeeded');
    assert.equal(new Date(cleanup[0].scheduledFor).getMinutes(), 0);
    // The same occurrence is not run twice.
    await s.t.server.services.scheduler.tick();
    await s.t.server.services.scheduler.settled();
    assert.equal((await executionsOf(s, 'upload_cleanup')).length, cleanupBefore + 1);
    const jobs = await s.api('get', '/api/scheduler/jobs', 200);
    const view = jobs.items.find((j: { job: string }) => j.job === 'quota_reconcile');
    assert.equal(view.enabled, false);
    assert.equal(view.nextRunAt, null);
  });

  it('cancels a running execution through its abort signal', async () => {
    const { executionId } = await s.api('post', '/api/scheduler/jobs/test_wait/run', 202);
    const busy = await s.api('post', '/api/scheduler/jobs/test_wait/run', 409);
    assert.match(busy.error.message, /already running/);
    const cancelled = await s.api('post', `/api/scheduler/executions/${executionId}/cancel`, 200);
    assert.equal(cancelled.status, 'cancelled');
    await s.t.server.services.scheduler.settled();
    const after = await s.api('get', `/api/scheduler/executions/${executionId}`, 200);
    assert.equal(after.status, 'cancelled');
    assert.match(after.error, /cancelled by admin/);
    await s.api('post', `/api/scheduler/executions/${executionId}/cancel`, 409);
  });

  it('pages through the history with a cursor', async () => {
    const first = await s.api('get', '/api/scheduler/executions?limit=2', 200);
    assert.equal(first.items.length, 2);
    assert.ok(first.nextCursor);
    const second = await s.api('get', `/api/scheduler/executions?limit=2&cursor=${first.nextCursor}`, 200);
    assert.ok(second.items[0].id < first.items[1].id);
  });

  it('needs an admin', async () => {
    await s.t.createUser('plain', 'plain-password-1');
    const token = await s.t.login('plain', 'plain-password-1');
    const res = await s.t.http().get('/api/scheduler/jobs').set('Authorization', `Bearer ${token}`);
    assert.equal(res.status, 403);
  });
});

describe('scheduler across restarts and processes', () => {
  it('runs a run missed while the server was down once at start, as catch-up', async () => {
    let s = await startMonitoredServer();
    try {
      await s.api('patch', '/api/scheduler/jobs/upload_cleanup', 200, { schedule: 'every 1 hour' });
      await s.t.stop();
      s.clock.advance(3 * HOUR);
      s = await startMonitoredServer({ share: s });
      await s.t.server.services.scheduler.settled();
      const runs = await executionsOf(s, 'upload_cleanup');
      assert.equal(runs.length, 1);
      assert.equal(runs[0].trigger, 'catch-up');
      assert.equal(runs[0].status, 'succeeded');
    } finally {
      await s.t.close();
    }
  });

  it('runs a due job once with two processes on one database', async () => {
    const a = await startMonitoredServer();
    const b = await startMonitoredServer({ share: a });
    try {
      await a.api('patch', '/api/scheduler/jobs/quota_reconcile', 200, { schedule: 'every 1 hour' });
      for (let round = 0; round < 3; round++) {
        a.clock.advance(HOUR);
        await Promise.all([a.t.server.services.scheduler.tick(), b.t.server.services.scheduler.tick()]);
        await Promise.all([a.t.server.services.scheduler.settled(), b.t.server.services.scheduler.settled()]);
      }
      const runs = await executionsOf(a, 'quota_reconcile');
      assert.equal(runs.length, 3);
      assert.equal(new Set(runs.map((r) => String(r.scheduledFor))).size, 3);
      for (const r of runs) assert.equal(r.status, 'succeeded');
    } finally {
      await b.t.stop();
      await a.t.close();
    }
  });
});
