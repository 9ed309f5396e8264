// @ts-check
/**
 * ESLint for src/, bench/ and test/ (`npm run lint`, part of `npm test`): ESLint's and
 * typescript-eslint's recommended rules, plus rules that catch real bugs. A few of those need
 * type information (promises nobody awaits, awaiting a non-promise, stringifying an object);
 * with the project service the whole lint takes about 20 s on a 2-core machine.
 * The architecture boundaries (stage order, index-only imports, storage backends, cycles)
 * are dependency-cruiser's: .dependency-cruiser.cjs.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // src/client/openapi.ts is generated (npm run client:generate).
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.bench-tmp/**', 'src/client/openapi.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Unused imports and variables are errors; a leading underscore marks one kept on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],

      // Promises: one nobody awaits or catches loses its error; a promise where a callback's
      // result is ignored (an async event handler) does too; awaiting a non-promise is a slip.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `return promise` inside try skips its catch and finally.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',

      // Values that turn into nonsense: '[object Object]' in a message, number + object, for-in over an array's indexes.
      '@typescript-eslint/no-base-to-string': 'error',
      '@typescript-eslint/restrict-plus-operands': 'error',
      '@typescript-eslint/no-for-in-array': 'error',
      '@typescript-eslint/no-array-delete': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
      // A switch over a union names every member (or has a default): a new member is not silently skipped.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],

      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-template-curly-in-string': 'error',
      // A for-of that breaks after its first item is how the code takes the first batch of an async iterator.
      'no-unreachable-loop': ['error', { ignore: ['ForOfStatement'] }],
      'no-constructor-return': 'error',
      'array-callback-return': 'error',
      'no-new-wrappers': 'error',

      // Left out on purpose (tried on this code base; every finding was intended):
      // no-self-compare: `x !== x` is the NaN test of the numeric hot loops;
      // no-unmodified-loop-condition: it flags loops whose condition also reads constants
      //   (`p === parts - 1 || ...`) and flags that another async task sets;
      // no-promise-executor-return: `new Promise((r) => setTimeout(r, ms))` returns a timer nobody reads.
    },
  },
);
