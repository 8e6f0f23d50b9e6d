// Lint runs in `npm test`. Type-aware rules catch floating promises, which in a pager mean a lost page.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'test-artifacts/**', 'scripts/**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The domain stays pure: no SDKs, no database, no clock.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@slack/*', 'botbuilder*', '@microsoft/*', 'mongoose', 'mongodb', 'agenda', '@agendajs/*', 'twilio', 'nodemailer', 'express'] }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The domain gets `now`; it never reads the clock.' }, { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'The domain gets `now`; it never reads the clock.' }],
    },
  },
);
