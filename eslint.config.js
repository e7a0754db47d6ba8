// Lint rules beyond what `tsc --strict` and `svelte-check` already enforce; formatting is Prettier's.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-results/', 'resources/', 'renderer/public/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  prettier,
  ...svelte.configs['flat/prettier'],
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // `ok ? a() : b()` and `cond && f()` are statements this code base uses on purpose.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // State here is replaced whole (`pages = next`), never mutated in place, so plain Maps are reactive enough.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    // Prettier wraps code at 110 but never breaks strings, template literals or comments, so those are kept
    // under 120 by hand and this rule holds them there.
    plugins: { '@stylistic': stylistic },
    rules: {
      '@stylistic/max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
  {
    // A folder's index.ts is its public face: the document model's files are its own.
    ignores: ['src/notebook/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/notebook/*'], message: 'Import src/notebook through its index.' }] },
      ],
    },
  },
  {
    // The document model and the contract run in the browser as well as in Node.
    files: ['src/notebook/**', 'src/api/**', 'renderer/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'This code runs in the browser too: no Node modules.' },
            { group: ['**/notebook/*'], message: 'Import src/notebook through its index.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
);
