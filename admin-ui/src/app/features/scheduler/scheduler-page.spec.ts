import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { HarnessLoader } from '@angular/cdk/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatDialogHarness } from '@angular/material/dialog/testing';
import { MatFormFieldHarness } from '@angular/material/form-field/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatSlideToggleHarness } from '@angular/material/slide-toggle/testing';
import type { SchedulerExecution, SchedulerJob } from '../../core/api-client';
import { REFRESH_TOKEN_STORAGE } from '../../core/auth-store';
import { MemoryStorage } from '../../core/testing';
import SchedulerPage from './scheduler-page';
import { HISTORY_PAGE_SIZE, timeline } from './scheduler-store';

function makeExecution(overrides: Partial<SchedulerExecution> = {}): SchedulerExecution {
  return {
    id: 1,
    job: 'raid_scrub',
    trigger: 'schedule',
    scheduledFor: null,
    startedAt: '2026-11-01T03:00:00.000Z',
    finishedAt: '2026-11-01T03:00:02.000Z',
    status: 'succeeded',
    summary: null,
    error: null,
    retryOf: null,
    ...overrides,
  };
}

const JOB: SchedulerJob = {
  job: 'raid_scrub',
  description: 'Checks the RAID arrays.',
  schedule: 'at 03:00 on Sunday',
  defaultSchedule: 'at 03:00 on Sunday',
  enabled: true,
  options: {},
  nextRunAt: '2026-11-29T03:00:00.000Z',
  lastExecution: makeExecution(),
};

describe('SchedulerPage', () => {
  let http: HttpTestingController;
  let loader: HarnessLoader;
  let root: HarnessLoader;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: REFRESH_TOKEN_STORAGE, useValue: new MemoryStorage() },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(SchedulerPage);
    loader = TestbedHarnessEnvironment.loader(fixture);
    root = TestbedHarnessEnvironment.documentRootLoader(fixture);
    http.expectOne('/api/scheduler/jobs').flush({ items: [JOB] });
    const history = http.expectOne((r) => r.url === '/api/scheduler/executions');
    expect(history.request.params.get('limit')).toBe(String(HISTORY_PAGE_SIZE));
    expect(history.request.params.has('cursor')).toBeFalse();
    history.flush({
      items: [makeExecution({ id: 42 }), makeExecution({ id: 41, status: 'failed', error: 'boom' })],
      nextCursor: 41,
    });
    await fixture.whenStable();
  });

  afterEach(async () => {
    const dialogs = await root.getAllHarnesses(MatDialogHarness);
    await Promise.all(dialogs.map((d) => d.close()));
    http.verify();
  });

  async function openScheduleEditor(): Promise<MatDialogHarness> {
    await (await loader.getHarness(MatButtonHarness.with({ text: /at 03:00 on Sunday/ }))).click();
    return root.getHarness(MatDialogHarness);
  }

  it('refuses an empty schedule before sending anything', async () => {
    const dialog = await openScheduleEditor();
    const input = await dialog.getHarness(MatInputHarness);
    await input.setValue('   ');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Save' }))).click();
    const field = await dialog.getHarness(MatFormFieldHarness);
    expect(await field.getTextErrors()).toEqual(['Enter a schedule.']);
    http.expectNone((r) => r.url.startsWith('/api/scheduler/jobs/'));
  });

  it("shows the server's message under the field for an invalid schedule", async () => {
    const dialog = await openScheduleEditor();
    await (await dialog.getHarness(MatInputHarness)).setValue('every blue moon');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Save' }))).click();
    const req = http.expectOne('/api/scheduler/jobs/raid_scrub');
    expect(req.request.method).toBe('PATCH');
    expect(req.request.body).toEqual({ schedule: 'every blue moon' });
    req.flush(
      {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'The request is not valid.',
          details: [{ field: 'schedule', message: 'not a schedule: every blue moon' }],
          requestId: 'r',
        },
      },
      { status: 400, statusText: 'Bad Request' },
    );
    const field = await dialog.getHarness(MatFormFieldHarness);
    expect(await field.getTextErrors()).toEqual(['not a schedule: every blue moon']);
  });

  it('shows the next five runs the server answers with', async () => {
    const dialog = await openScheduleEditor();
    await (await dialog.getHarness(MatInputHarness)).setValue('every 1 hour');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Save' }))).click();
    const runs = [1, 2, 3, 4, 5].map((h) => `2026-11-28T${String(h).padStart(2, '0')}:00:00.000Z`);
    http
      .expectOne('/api/scheduler/jobs/raid_scrub')
      .flush({ ...JOB, schedule: 'every 1 hour', nextRunAt: runs[0], nextRuns: runs });
    expect(await dialog.getContentText()).toContain('Next runs');
    const items = document.querySelectorAll('ol[aria-label="Next runs"] li');
    expect(items.length).toBe(5);
    expect(await loader.getHarness(MatButtonHarness.with({ text: /every 1 hour/ }))).toBeTruthy();
  });

  it('runs a job now and reloads jobs and history', async () => {
    await (await loader.getHarness(MatButtonHarness.with({ text: /Run now/ }))).click();
    const run = http.expectOne('/api/scheduler/jobs/raid_scrub/run');
    expect(run.request.method).toBe('POST');
    run.flush({ executionId: 43 }, { status: 202, statusText: 'Accepted' });
    http.expectOne('/api/scheduler/jobs').flush({ items: [JOB] });
    http.expectOne((r) => r.url === '/api/scheduler/executions').flush({ items: [], nextCursor: null });
  });

  it('disables a job with its toggle', async () => {
    await (await loader.getHarness(MatSlideToggleHarness)).toggle();
    const req = http.expectOne('/api/scheduler/jobs/raid_scrub');
    expect(req.request.body).toEqual({ enabled: false });
    req.flush({ ...JOB, enabled: false, nextRuns: [] });
    expect(await (await loader.getHarness(MatSlideToggleHarness)).isChecked()).toBeFalse();
  });

  it('pages the history by the server cursor, and back', async () => {
    await (await loader.getHarness(MatButtonHarness.with({ text: /Older/ }))).click();
    const older = http.expectOne((r) => r.url === '/api/scheduler/executions');
    expect(older.request.params.get('cursor')).toBe('41');
    older.flush({ items: [makeExecution({ id: 40 })], nextCursor: null });
    expect(await (await loader.getHarness(MatButtonHarness.with({ text: /Older/ }))).isDisabled()).toBeTrue();
    await (await loader.getHarness(MatButtonHarness.with({ text: /Newer/ }))).click();
    const newer = http.expectOne((r) => r.url === '/api/scheduler/executions');
    expect(newer.request.params.has('cursor')).toBeFalse();
    newer.flush({ items: [makeExecution({ id: 42 })], nextCursor: 41 });
  });

  it('retries a failed run', async () => {
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Retry' }))).click();
    http.expectOne('/api/scheduler/executions/41/retry').flush({ executionId: 44 });
    http.expectOne('/api/scheduler/jobs').flush({ items: [JOB] });
    http.expectOne((r) => r.url === '/api/scheduler/executions').flush({ items: [], nextCursor: null });
  });
});

describe('timeline', () => {
  it('lays runs out from the first start to the last end', () => {
    const bars = timeline(
      [
        makeExecution({
          id: 2,
          startedAt: '2026-01-01T00:00:05.000Z',
          finishedAt: '2026-01-01T00:00:10.000Z',
        }),
        makeExecution({
          id: 1,
          startedAt: '2026-01-01T00:00:00.000Z',
          finishedAt: '2026-01-01T00:00:05.000Z',
        }),
      ],
      0,
    );
    expect(bars.map((b) => [b.leftPercent, b.widthPercent])).toEqual([
      [50, 50],
      [0, 50],
    ]);
  });
});
