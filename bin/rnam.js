#!/usr/bin/env node
// The `rnam` command (npx rnam train ... / rnam predict ...): see `rnam --help`.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
