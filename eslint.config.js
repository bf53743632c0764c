import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'coverage', 'bench/results', 'dist'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The console runs in the browser (its own tsconfig gives it the DOM, and Node nothing):
    // it is a client of the admin API and imports nothing of the server's.
    files: ['src/console/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'the console runs in the browser' },
            {
              regex: '^\\.\\./(?!html|i18n|api|format|router|state|types|ui/)',
              message: 'the console imports only its own modules',
            },
          ],
        },
      ],
    },
  },
);
