import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startMonitoredServer, type MonitoredServer } from './monitoring-support.js';

const MONITORING = new URL('../../deploy/monitoring/', import.meta.url);
const TOKEN = 'scrape-token-0123456789';

/** Every series name a scrape can contain: TYPE lines, with a histogram's _bucket, _sum and _count. */
function exportedNames(exposition: string): Set<string> {
  // `up` is the series Prometheus itself records for every target.
  const names = new Set<string>(['up']);
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (name === undefined) continue;
    names.add(name);
    if (type === 'histogram' || type === 'summary') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    }
  }
  return names;
}

/** Metric names a PromQL expression reads (identifiers that are neither functions, keywords nor labels). */
function namesIn(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]');
  const keywords = new Set([
    ...[
      'by',
      'without',
      'on',
      'ignoring',
      'group_left',
      'group_right',
      'or',
      'and',
      'unless',
      'bool',
      'offset',
    ],
    // Aggregation operators may be followed by `by (...)` instead of their parenthesis.
    ...['sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'group'],
  ]);
  const names: string[] = [];
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const next = bare.slice(m.index + m[0].length).trimStart();
    // Functions are followed by '('; label lists after by/without are inside '( )' right after the keyword.
    if (next.startsWith('(') || keywords.has(m[0]) || /^\d/.test(m[0])) continue;
    const before = bare.slice(0, m.index);
    if (/\b(by|without|on|ignoring)\s*\([^)]*$/.test(before)) continue;
    names.push(m[0]);
  }
  return names;
}

describe('metrics', () => {
  let s: MonitoredServer;
  before(async () => {
    s = await startMonitoredServer({ env: { BALUHOST_METRICS_TOKEN: TOKEN } });
  });
  after(async () => {
    await s.t.close();
  });

  const scrape = async (): Promise<string> => {
    const res = await s.t.http().get('/api/metrics').set('Authorization', `Bearer ${TOKEN}`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    return res.text;
  };

  it('counts API requests by their route pattern, never the raw URL', async () => {
    const userId = await s.t.createUser('metric-user', 'metric-password-1');
    await s.api('get', `/api/users/${userId}`, 200);
    await s.t.http().get('/api/no/such/route').set('Authorization', `Bearer ${s.token}`);
    const text = await scrape();
    assert.match(
      text,
      /baluhost_http_requests_total\{method="GET",route="\/api\/users\/:id",status="200"\} 1/,
    );
    assert.match(text, /route="unmatched",status="404"/);
    assert.doesNotMatch(text, new RegExp(`/api/users/${userId}"`));
    assert.match(
      text,
      /baluhost_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/users\/:id"\}/,
    );
    assert.doesNotMatch(text, /metric-user/, 'no user label');
  });

  it('counts WebDAV requests, bytes and failed logins by protocol', async () => {
    await s.t.createUser('davuser', 'dav-password-1');
    const auth = `Basic ${Buffer.from('davuser:dav-password-1').toString('base64')}`;
    const put = await s.t.http().put('/dav/home/a.txt').set('Authorization', auth).send('hello metrics');
    assert.equal(put.status, 201);
    const get = await s.t.http().get('/dav/home/a.txt').set('Authorization', auth);
    assert.equal(get.status, 200);
    await s.t.http().post('/api/auth/login').send({ username: 'davuser', password: 'wrong-password' });
    // The WebDAV hook runs when the response closes, a moment after the client has it: scrape until it shows.
    let text = await scrape();
    for (let i = 0; i < 50 && !/webdav_requests_total\{method="GET"/.test(text); i++) text = await scrape();
    assert.match(text, /baluhost_webdav_requests_total\{method="PUT",status="201"\} 1/);
    assert.match(text, /baluhost_webdav_requests_total\{method="GET",status="200"\} 1/);
    assert.match(text, /baluhost_bytes_written_total\{protocol="webdav"\} 13/);
    assert.match(text, /baluhost_bytes_read_total\{protocol="webdav"\} 13/);
    assert.match(text, /baluhost_failed_logins_total\{protocol="api"\} 1/);
  });

  it('exports hardware, storage and scheduler gauges', async () => {
    await s.api('post', '/api/shares', 201, { name: 'media', quotaBytes: 1_000_000 });
    const { executionId } = await s.api('post', '/api/scheduler/jobs/upload_cleanup/run', 202);
    assert.ok(executionId);
    await s.t.server.services.scheduler.settled();
    const text = await scrape();
    for (const re of [
      /baluhost_raid_array_state\{array="md0",state="clean"\} 1/,
      /baluhost_raid_sync_progress_ratio\{array="md0"\} 1/,
      /baluhost_smart_healthy\{device="sda"\} 1/,
      /baluhost_disk_temperature_celsius\{device="sda"\} \d+/,
      /baluhost_fan_speed_rpm\{fan="[^"]+"\} \d+/,
      /baluhost_fan_pwm_ratio\{fan="[^"]+"\} [\d.]+/,
      /baluhost_cpu_frequency_hertz\{cpu="0"\} \d+/,
      /baluhost_storage_used_bytes\{share="media"\} 0/,
      /baluhost_storage_quota_bytes\{share="media"\} 1000000/,
      /baluhost_uploads_in_flight 0/,
      /baluhost_scheduler_runs_total\{job="upload_cleanup",status="succeeded"\} 1/,
      /process_resident_memory_bytes \d+/,
    ]) {
      assert.ok(re.test(text), `no ${re.source}`);
    }
  });

  it('labels no series with a worker in a single process', async () => {
    const text = await scrape();
    assert.match(text, /^process_resident_memory_bytes \d+$/m);
    assert.doesNotMatch(text, /worker="/);
  });

  it('passes promtool check metrics', async () => {
    const text = await scrape();
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });

  it('refuses scrapers without the token from an address outside the allowlist', async () => {
    const other = await startMonitoredServer({
      env: { BALUHOST_METRICS_TOKEN: TOKEN, BALUHOST_METRICS_ALLOW: '10.0.0.0/8' },
    });
    try {
      const none = await other.t.http().get('/api/metrics');
      assert.equal(none.status, 401);
      assert.equal(none.body.error.code, 'UNAUTHENTICATED');
      const admin = await other.t.http().get('/api/metrics').set('Authorization', `Bearer ${other.token}`);
      assert.equal(admin.status, 401, 'an admin login is not a metrics token');
      const ok = await other.t.http().get('/api/metrics').set('Authorization', `Bearer ${TOKEN}`);
      assert.equal(ok.status, 200);
    } finally {
      await other.t.close();
    }
    // Loopback is allowed by default, without a token.
    const local = await s.t.http().get('/api/metrics');
    assert.equal(local.status, 200);
  });

  it('ships alert rules that promtool accepts, over series BaluHost exports', async () => {
    const rules = new URL('baluhost-rules.yml', MONITORING);
    const r = spawnSync('promtool', ['check', 'rules', rules.pathname], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    const exported = exportedNames(await scrape());
    const exprs = [...readFileSync(rules, 'utf8').matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1] ?? '');
    assert.ok(exprs.length >= 8);
    for (const expr of exprs) {
      for (const name of namesIn(expr)) assert.ok(exported.has(name), `${name} in ${expr}`);
    }
  });

  it('ships a Grafana dashboard that is valid JSON and names only exported series', async () => {
    const dashboard = JSON.parse(readFileSync(new URL('grafana-dashboard.json', MONITORING), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const exported = exportedNames(await scrape());
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    assert.ok(exprs.length >= 10);
    const used = new Set<string>();
    for (const expr of exprs) {
      for (const name of namesIn(expr)) {
        used.add(name);
        assert.ok(exported.has(name), `${name} in ${expr}`);
      }
    }
    for (const main of [
      'baluhost_http_requests_total',
      'baluhost_raid_degraded',
      'baluhost_disk_temperature_celsius',
      'baluhost_storage_used_bytes',
    ]) {
      assert.ok(used.has(main), main);
    }
  });
});
