// Lint rules CI runs (`npm run lint`): ESLint's and typescript-eslint's recommended sets, with
// the few exceptions this code base has a reason for. Formatting is Prettier's, not ESLint's.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', 'coverage/', 'src/generated/', 'bench/results/', 'src/console/dist/', 'dist/', 'dist.*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      // `_name` marks a value that is deliberately unused (destructured away, a required parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Tests and benchmarks read JSON bodies of emulators and servers whose shapes they assert on.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The operator console (React, in the browser): the hooks rules on top (no-undef is off for
    // TypeScript, so the browser's globals need no list).
    files: ['src/console/app/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
);
