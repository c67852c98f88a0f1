import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../src/errors/codes.js';
import { CONFIG_VARIABLES } from '../src/config/config.js';

const root = new URL('../../', import.meta.url);

describe('catalogues kept in step with their docs', () => {
  it('docs/errors.md has one row per error code with its status, and no others', () => {
    const doc = readFileSync(new URL('docs/errors.md', root), 'utf8');
    const rows = [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d+) \|/gm)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(
      rows.sort(),
      Object.entries(ERROR_CODES)
        .map(([code, spec]) => [code, spec.status])
        .sort(),
    );
  });

  it('the README documents every configuration variable, and no others', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const documented = [...readme.matchAll(/^\| `((?:BALUHOST_|DATABASE_URL|PORT)[A-Z_]*)` \|/gm)].map(
      (m) => m[1],
    );
    assert.deepEqual(documented.sort(), Object.keys(CONFIG_VARIABLES).sort());
  });

  it('the README opens with exactly npm install, npm start and npm test', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    assert.deepEqual(
      block
        .trim()
        .split('\n')
        .map((l) => l.split('#')[0]?.trim()),
      ['npm install', 'npm start', 'npm test'],
    );
  });
});
