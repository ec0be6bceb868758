// Lint: typescript-eslint's type-aware rules on every package's sources; its syntax rules on tests and scripts.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'runs/**', '.bench/**', 'packages/web/test-output/**', '.examples*/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['packages/*/src/**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  {
    files: ['packages/{data,measures,model,train,analysis,charts,runs,report}/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads'],
              message: 'the libraries run in the browser too: only @grokscope/node and the CLI touch Node',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'console', '__dirname', 'require'],
    },
  },
  {
    files: ['packages/web/src/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads'],
              message: 'the page and its worker run in the browser: only packages/web/src/server touches Node',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'console', '__dirname', 'require'],
    },
  },
  {
    // The example programs run in Node.
    files: ['packages/*/examples/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Lines of at most 140 characters. Exempt: a line holding a string, template or regular expression literal or a URL
    // (a value a test may compare), an example's output line (`expr // => value`, one line by the examples' convention)
    // and a Markdown table row in a doc comment.
    files: [
      'packages/*/src/**/*.ts',
      'packages/*/test/**/*.ts',
      'packages/*/examples/*.mjs',
      'test-support/*.ts',
      'scripts/*.mjs',
      'eslint.config.js',
      'vitest.config.ts',
      'packages/*/vitest.config.ts',
    ],
    rules: {
      'max-len': [
        'error',
        {
          code: 140,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
          ignoreUrls: true,
          ignorePattern: '// => |^\\s*\\* \\|',
        },
      ],
    },
  },
)
