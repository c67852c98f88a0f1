// Medians into a Markdown table: each server's figure, BaluHost's ratio to each peer, and the targets.
const MiB = 1024 * 1024;

export function sizeText(bytes) {
  if (bytes >= 1024 * MiB && bytes % (1024 * MiB) === 0) return `${bytes / 1024 / MiB} GiB`;
  if (bytes >= MiB) return `${+(bytes / MiB).toFixed(1)} MiB`;
  return `${bytes / 1024} KiB`;
}

/** The metrics in table order. A target is `vsApache` (ratio BaluHost ÷ Apache) or `max` (absolute). */
export function metrics(cfg) {
  const n = cfg.smallPuts.toLocaleString('en-US');
  const files = cfg.propfindFiles.toLocaleString('en-US');
  const big = sizeText(cfg.bigBytes);
  return [
    { key: 'start_rss_MiB', label: 'RSS right after start', unit: 'MiB', better: 'lower' },
    {
      key: 'idle_rss_MiB',
      label: `RSS idle, ${cfg.settleSeconds} s after start`,
      unit: 'MiB',
      better: 'lower',
    },
    { key: 'put_MBps', label: `${big} PUT`, unit: 'MB/s', better: 'higher', target: { vsApache: 0.9 } },
    {
      key: 'put_rss_MiB',
      label: `peak RSS during the ${big} PUT`,
      unit: 'MiB',
      better: 'lower',
      target: { max: 120 },
    },
    { key: 'get_MBps', label: `${big} GET`, unit: 'MB/s', better: 'higher', target: { vsApache: 0.9 } },
    {
      key: 'get_rss_MiB',
      label: `peak RSS during the ${big} GET`,
      unit: 'MiB',
      better: 'lower',
      target: { max: 120 },
    },
    {
      key: 'range_ms',
      label: `1 MiB GET at offset ${sizeText(cfg.bigBytes - MiB)}`,
      unit: 'ms',
      better: 'lower',
      target: { max: 20 },
    },
    {
      key: 'put4k_seq_rps',
      label: `${n} × 4 KiB PUT, sequential`,
      unit: 'req/s',
      better: 'higher',
      target: { vsApache: 1 },
    },
    {
      key: 'put4k_c16_rps',
      label: `${n} × 4 KiB PUT, 16 concurrent`,
      unit: 'req/s',
      better: 'higher',
      target: { vsApache: 1 },
    },
    {
      key: 'propfind_first_ms',
      label: `PROPFIND Depth 1, ${files} files, first after start`,
      unit: 'ms',
      better: 'lower',
    },
    {
      key: 'propfind_ms',
      label: `PROPFIND Depth 1, ${files} files`,
      unit: 'ms',
      better: 'lower',
      target: { vsApache: 1 },
    },
    {
      key: 'propfind_get_max_ms',
      label: 'slowest 4 KiB GET during that PROPFIND',
      unit: 'ms',
      better: 'lower',
      target: { max: 50 },
    },
    {
      key: 'get4k_rps',
      label: `4 KiB GET, wrk 32 connections ${cfg.wrkSeconds} s`,
      unit: 'req/s',
      better: 'higher',
      target: { vsApache: 1 },
    },
    { key: 'get4k_p99_ms', label: '4 KiB GET p99 (wrk)', unit: 'ms', better: 'lower', target: { max: 20 } },
  ];
}

export function num(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toLocaleString('en-US');
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function targetText(m) {
  if (!m.target) return '';
  if (m.target.max !== undefined) return `< ${m.target.max} ${m.unit}`;
  return `${m.better === 'higher' ? '≥' : '≤'} ${m.target.vsApache.toFixed(1)}× Apache`;
}

function targetMet(m, bh, apache) {
  if (!m.target || bh === null || bh === undefined) return '';
  if (m.target.max !== undefined) return bh < m.target.max ? 'yes' : '**no**';
  if (apache === null || apache === undefined) return '';
  const ratio = bh / apache;
  const ok = m.better === 'higher' ? ratio >= m.target.vsApache : ratio <= m.target.vsApache;
  return ok ? 'yes' : '**no**';
}

/** The Markdown table of medians; `servers` in column order, BaluHost first when present. */
export function markdownTable(cfg, servers, labels, medians) {
  const peers = servers.filter((s) => s !== 'baluhost');
  const hasBh = servers.includes('baluhost');
  const head = ['workload', 'unit', 'better', ...servers.map((s) => labels[s])];
  if (hasBh) head.push(...peers.map((p) => `BaluHost ÷ ${labels[p]}`), 'target', 'met');
  const rows = [head, head.map((h, i) => (i >= 3 ? '--:' : '--'))];
  for (const m of metrics(cfg)) {
    const row = [m.label, m.unit, m.better, ...servers.map((s) => num(medians[s]?.[m.key]))];
    if (hasBh) {
      const bh = medians.baluhost?.[m.key];
      for (const p of peers) {
        const v = medians[p]?.[m.key];
        row.push(bh && v ? `${(bh / v).toFixed(2)}×` : '–');
      }
      row.push(targetText(m), targetMet(m, bh, medians.apache?.[m.key]));
    }
    rows.push(row);
  }
  const lines = rows.map((r) => `| ${r.join(' | ')} |`);
  const ceiling = medians.nginx?.static_rps;
  if (ceiling) {
    let line = `\nCeiling: nginx serving the same 4 KiB file as plain static content (no auth, no DAV): ${num(ceiling)} req/s, p99 ${num(medians.nginx.static_p99_ms)} ms`;
    if (medians.baluhost?.get4k_rps)
      line += `; BaluHost reaches ${((medians.baluhost.get4k_rps / ceiling) * 100).toFixed(0)} % of it`;
    lines.push(`${line}.`);
  }
  return lines.join('\n');
}

/**
 * A line under the table for a server that is not a peer (BaluHost with another setting, the bare Node floor):
 * its figures, its ratio to Apache, and `note` (what it is).
 */
export function variantLine(cfg, variant, labels, medians, note) {
  const v = medians[variant] ?? {};
  const apache = medians.apache ?? {};
  const vsApache = (key) => (v[key] && apache[key] ? ` (${(v[key] / apache[key]).toFixed(2)}× Apache)` : '');
  const parts = [];
  if (v.put_MBps !== undefined)
    parts.push(
      `${sizeText(cfg.bigBytes)} PUT ${num(v.put_MBps)} MB/s${vsApache('put_MBps')}, peak RSS ${num(v.put_rss_MiB)} MiB`,
    );
  if (v.put4k_seq_rps !== undefined)
    parts.push(
      `4 KiB PUT ${num(v.put4k_seq_rps)} req/s sequential${vsApache('put4k_seq_rps')}, ` +
        `${num(v.put4k_c16_rps)} req/s 16 concurrent${vsApache('put4k_c16_rps')}`,
    );
  if (parts.length === 0) return '';
  return `\n${labels[variant]} (${note}): ${parts.join('; ')}.`;
}
