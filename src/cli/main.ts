#!/usr/bin/env node
/**
 * The `entra-oauth` executable (package.json `bin`). Everything happens in `main`; this file only
 * hands it the process and sets the exit code.
 */
import { main } from './cli.js'

process.exitCode = await main(process.argv.slice(2))
