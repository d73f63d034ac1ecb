#!/usr/bin/env node
/**
 * `vigil-tool`: operations on a Vigil installation's bucket. It takes Vigil's own flags and
 * `-config.file` for the bucket settings (`-blocks-storage.*`), plus its own:
 *
 *   vigil-tool import-blocks -tenant=T [-allow-overlap] DIR...   import Prometheus blocks
 *   vigil-tool list-blocks -tenant=T                               list a tenant's blocks
 *   vigil-tool inspect-block -tenant=T ULID|DIR                    summarise one block
 *   vigil-tool check rules [--lint=none] FILE...                   check rule files like promtool
 *   vigil-tool test rules FILE...                                  run promtool's rule unit tests
 */

import { ConfigError, flagDefs, loadConfig } from '../app/config.js';
import { newBucket } from '../objstore/config.js';
import { updateBucketIndex } from '../store/bucket-index.js';
import { ToolError, importBlocks, inspectBlock, listBlocks } from '../tool/blocks.js';
import { checkRules } from '../tool/check-rules.js';
import { testRules } from '../tool/test-rules.js';
import { checkTemplate } from '../ruler/template/index.js';
import { validateTenantId } from '../util/tenant.js';

const USAGE = `usage: vigil-tool <command> [flags] [args]

commands:
  import-blocks -tenant=T [-allow-overlap] DIR...   validate Prometheus TSDB blocks (a block directory, or a
                                                     data directory holding blocks) and upload them to T's bucket
  list-blocks -tenant=T                              list the blocks in T's bucket
  inspect-block -tenant=T ULID|DIR                   series, samples and time range of one block
  check rules [--lint=none] FILE...                  check Prometheus rule files as promtool check rules does
  test rules FILE...                                 run rule unit-test files as promtool test rules does

The bucket is configured with Vigil's flags or -config.file (-blocks-storage.backend,
-blocks-storage.filesystem.dir, -blocks-storage.s3.*); see vigil -help.
`;

interface Args {
  command: string;
  tenant: string;
  allowOverlap: boolean;
  configArgs: string[];
  positional: string[];
}

function parseArgs(argv: readonly string[]): Args {
  const [command = '', ...rest] = argv;
  const defs = flagDefs();
  const a: Args = { command, tenant: '', allowOverlap: false, configArgs: [], positional: [] };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      a.positional.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const inline = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (name === 'tenant') {
      const v = inline ?? rest[++i];
      if (v === undefined) throw new ToolError('flag needs an argument: -tenant');
      a.tenant = v;
    } else if (name === 'allow-overlap') {
      a.allowOverlap = inline === undefined || inline === 'true';
    } else {
      a.configArgs.push(arg);
      const def = defs.get(name);
      if (inline === undefined && def && def.kind !== 'bool' && i + 1 < rest.length) a.configArgs.push(rest[++i]!);
    }
  }
  return a;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '-help' || argv[0] === '--help' || argv[0] === 'help') {
    process.stdout.write(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === 'check' && argv[1] === 'rules') return runCheckRules(argv.slice(2));
  if (argv[0] === 'test' && argv[1] === 'rules') {
    const files = argv.slice(2).filter((a) => !a.startsWith('-'));
    if (files.length === 0) {
      process.stderr.write("vigil-tool: error: required argument 'test-rule-file' not provided\n");
      return 1;
    }
    return testRules(files, { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t) });
  }
  const out = { out: (line: string) => process.stdout.write(`${line}\n`) };
  try {
    const a = parseArgs(argv);
    const { config } = loadConfig(a.configArgs);
    if (!['import-blocks', 'list-blocks', 'inspect-block'].includes(a.command)) throw new ToolError(`unknown command ${JSON.stringify(a.command)}\n\n${USAGE}`);
    if (a.tenant === '') throw new ToolError(`${a.command} needs -tenant=<tenant id>`);
    const bad = validateTenantId(a.tenant);
    if (bad) throw new ToolError(`invalid -tenant: ${bad}`);
    const bucket = newBucket({ backend: config.bucket.backend, filesystem: config.filesystem, s3: config.s3 });
    try {
      switch (a.command) {
        case 'import-blocks':
          if (a.positional.length === 0) throw new ToolError('import-blocks needs at least one block directory');
          await importBlocks(bucket, a.tenant, a.positional, { allowOverlap: a.allowOverlap, afterUpload: async () => void (await updateBucketIndex(bucket, a.tenant)) }, out);
          break;
        case 'list-blocks':
          await listBlocks(bucket, a.tenant, out);
          break;
        case 'inspect-block':
          if (a.positional.length !== 1) throw new ToolError('inspect-block needs one ULID or block directory');
          await inspectBlock(bucket, a.tenant, a.positional[0]!, out);
          break;
      }
    } finally {
      await bucket.close();
    }
    return 0;
  } catch (e) {
    if (e instanceof ToolError || e instanceof ConfigError) {
      process.stderr.write(`vigil-tool: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** `check rules [--lint=none|duplicate-rules|all] [--lint-fatal] FILE...`. */
async function runCheckRules(args: readonly string[]): Promise<number> {
  const files = args.filter((a) => !a.startsWith('-'));
  const lint = args.find((a) => /^--?lint=/.test(a))?.replace(/^--?lint=/, '') ?? 'duplicate-rules';
  if (files.length === 0) {
    process.stderr.write("vigil-tool: error: required argument 'rule-files' not provided\n");
    return 1;
  }
  const io = { stdout: (t: string) => void process.stdout.write(t), stderr: (t: string) => void process.stderr.write(t) };
  return checkRules(files, io, { lintDuplicates: lint !== 'none', lintFatal: args.some((a) => /^--?lint-fatal(=true)?$/.test(a)), checkTemplate });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`vigil-tool: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
