// Nest 12 is ESM-only: Jest runs in native ESM mode (see package.json "test").
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: {
    '^nestjs-references$': '<rootDir>/libs/references/src/index.ts',
    '^nestjs-references/cli$': '<rootDir>/libs/references/src/cli/index.ts',
    '^nestjs-references/terminus$': '<rootDir>/libs/references/src/terminus/index.ts',
    '^nestjs-references/explorer$': '<rootDir>/libs/references/src/explorer/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  testTimeout: 60000,
};
