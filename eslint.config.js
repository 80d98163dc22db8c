// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

// Each layer may import only the layers listed for it (see ../shared/STYLE.md, "Layout").
const layers = {
  apps: ['flows', 'cache', 'authority', 'credentials', 'protocol', 'transport', 'errors'],
  flows: ['protocol', 'credentials', 'authority', 'cache', 'transport', 'errors'],
  credentials: ['protocol', 'errors'],
  authority: ['protocol', 'transport', 'errors'],
  cache: ['protocol', 'errors'],
  protocol: ['errors'],
  transport: ['errors'],
  // The emulator is a server: it shares protocol steps with the library, nothing else.
  emulator: ['protocol', 'errors'],
  // The command is a client of the library like any other, plus the emulator it can start.
  cli: ['apps', 'flows', 'cache', 'authority', 'credentials', 'protocol', 'transport', 'emulator', 'errors'],
}
const all = ['apps', 'flows', 'credentials', 'authority', 'cache', 'protocol', 'transport', 'cli', 'emulator']

const layerRules = Object.entries(layers).map(([layer, allowed]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: all
          .filter((other) => other !== layer && !allowed.includes(other))
          .map((other) => ({
            group: [`../${other}/*`, `../${other}`],
            message: `src/${layer} may import only: ${allowed.join(', ')}.`,
          })),
      },
    ],
  },
}))

export default tseslint.config(
  // Seed snippets are Microsoft's documentation code, kept as printed.
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', 'fixtures/**', 'test/seeds/*.snippet.mjs', 'test/seeds/.run-*', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Only transport/ does HTTP (the same trick as undici's no-restricted-globals rule).
    files: ['src/**/*.ts'],
    ignores: ['src/transport/**', 'src/emulator/**'],
    rules: {
      'no-restricted-globals': ['error', { name: 'fetch', message: 'HTTP goes through src/transport/.' }],
      'no-restricted-syntax': [
        'error',
        { selector: "ImportDeclaration[source.value='undici']", message: 'undici is used only in src/transport/.' },
      ],
    },
  },
  ...layerRules,
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'bench/**/*.mjs', 'scripts/**/*'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
)
