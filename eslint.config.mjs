// ESLint judges, Prettier formats. Layer rules from STYLE.md section 1 are enforced here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nodePlugin from 'eslint-plugin-n';

const repoPackages = ['@baluhost/*', '@baluhost/*/**'];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'data/**',
      'admin-ui/**',
      'e2e/bench/results/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // One program over every workspace's sources and tests (the build configs leave tests out).
        project: ['./tsconfig.check.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { n: nodePlugin },
    rules: {
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'n/no-process-env': 'error',
    },
  },
  {
    // node:test's describe/it return promises that the runner awaits itself.
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // supertest bodies are `any`; the assertions on them are the typing.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      'n/no-process-env': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, 'n/no-process-env': 'off' },
  },
  {
    // CommonJS: the `baluhost` entry point (server/bin/package.json says so) and what it requires first.
    files: ['**/*.cjs', 'server/bin/baluhost.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { process: 'readonly', require: 'readonly', module: 'writable' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['server/src/config/**'],
    rules: { 'n/no-process-env': 'off' },
  },
  {
    // Leaf packages: drivers and protocols import nothing from this repo.
    files: ['drivers/**/*.ts', 'protocols/**/*.ts', 'migrations/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: repoPackages, message: 'Leaf packages import nothing from this repo.' }] },
      ],
    },
  },
  {
    // The storage core is the only way to user files: no direct fs in the API or the WebDAV adapter.
    files: ['server/src/api/**/*.ts', 'protocols/src/webdav/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['fs', 'node:fs', 'fs/promises', 'node:fs/promises'].map((name) => ({
            name,
            message: 'Go through the storage core (server/src/storage), not node:fs.',
          })),
          patterns: [{ group: repoPackages.filter(() => false), message: '' }].filter(
            (p) => p.group.length > 0,
          ),
        },
      ],
    },
  },
);
