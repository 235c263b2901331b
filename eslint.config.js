// Lint (npm run lint): typescript-eslint's recommended rules, with type information for src/ and
// test/ so that a promise nobody awaits is found (no-floating-promises), and no import circles
// (import-x/no-cycle; dependency-cruiser checks the layers too). Formatting is Prettier's job.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // okpay escapes and refuses control characters on purpose: the regular expressions that match them are the point.
      'no-control-regex': 'off',
      // A leading underscore names what a destructuring leaves out or a callback must accept.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.test.json' })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      'import-x/no-cycle': 'error',
    },
  },
  // valibot's object, record, variant and number schemas are used through src/domain/schema.ts, which
  // keeps okpay's rules for them (docs/SCHEMAS.md): a missing field named by its own schema, every
  // unknown field named, a list not an object, a whole number checked as one.
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    ignores: ['src/domain/schema.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['object', 'strictObject', 'looseObject', 'record', 'variant', 'number', 'integer', 'tuple', 'strictTuple'].map((property) => ({
          object: 'v',
          property,
          message: 'use the schema of src/domain/schema.ts (docs/SCHEMAS.md)',
        })),
      ],
    },
  },
  { files: ['**/*.{js,mjs,cjs}'], languageOptions: { globals: globals.node } },
  // bin/okpay.js is CommonJS so that `--version` loads nothing else (see bin/package.json).
  { files: ['bin/**/*.js', '**/*.cjs'], languageOptions: { sourceType: 'commonjs' }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
