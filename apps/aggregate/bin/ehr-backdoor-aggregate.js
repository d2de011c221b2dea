#!/usr/bin/env node
import '../../../tools/node/source-loader.js';

const { main } = await import('../src/main.ts');
await main(process.argv.slice(2));
