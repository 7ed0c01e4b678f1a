export { fixturePath, fixturesDir, repoRoot } from './fixtures.ts';
