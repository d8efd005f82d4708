#!/usr/bin/env node
// The cnf-admin command: a shim over the built CLI (npm ci builds it; so does npm run build).
import { cli } from '../dist/cli.mjs';

process.exitCode = await cli(process.argv.slice(2));
