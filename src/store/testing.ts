/**
 * Test support of the store for tests of other folders (e2e): throwaway PostgreSQL
 * databases and whether the test server answers. Not part of the build.
 */
export * from './postgres/testing.js';
