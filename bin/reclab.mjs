#!/usr/bin/env node
// Runs the command line from its TypeScript source through tsx, with RecLab's own compiler
// settings: tsx would otherwise honour a tsconfig.json in the working folder, whose `paths`
// could swap a module RecLab loads for a script of that folder's.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
