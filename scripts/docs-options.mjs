// Regenerates the README's option and error-code tables from src/cli/options.ts and src/errors.ts.
// Usage: npm run docs:options
import { readFileSync, writeFileSync } from 'node:fs';
import { updateSections } from '../dist/src/cli/docs.js';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = updateSections(before);
writeFileSync(path, after);
console.log(before === after ? 'README.md is up to date' : 'README.md updated');
