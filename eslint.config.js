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
    // The domain stays pure: no SDKs, no database, no clock, nothing from the layers around it.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@slack/*', 'botbuilder*', '@microsoft/*', 'mongoose', 'mongodb', 'agenda', '@agendajs/*', 'twilio', 'nodemailer', 'express'], message: 'The domain uses no SDK and no database.' },
            { regex: '^(\\.\\./)+(app|adapters|engine|config)/', message: 'The domain imports nothing from app/, adapters/, engine/ or config/: move the type into src/domain.' },
          ],
        },
      ],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The domain gets `now`; it never reads the clock.' }, { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'The domain gets `now`; it never reads the clock.' }],
    },
  },
  {
    // Use cases and the chat-ops core know ports, never their implementations or the engine.
    files: ['src/app/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(adapters|engine)/', message: 'src/app imports nothing from adapters/ or engine/: depend on a port in src/app/ports.' }] }],
    },
  },
  {
    // Each chat platform is a thin shell of its own: Teams never imports Slack's folder, nor Slack Teams'.
    files: ['src/adapters/teams/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(adapters/)?slack/', message: 'Teams code never imports from src/adapters/slack: share it through src/app.' }] }],
    },
  },
  {
    files: ['src/adapters/slack/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(adapters/)?teams/', message: 'Slack code never imports from src/adapters/teams: share it through src/app.' }] }],
    },
  },
);
