// The `rnam` command: train, cv, search, predict and worker (see usage). Errors print one line naming what is wrong
// (exit code 1; 2 for a wrong command line); --help prints the usage.
import { tmpdir } from 'node:os';
import { parseCvArgs, parsePredictArgs, parseSearchArgs, parseTrainArgs, parseWorkerArgs, usage, UsageError } from './args.js';
import { crossValidateCommand } from './cv.js';
import { searchCommand } from './search.js';
import { train } from './train.js';
import { predictCommand } from './predict.js';
import { workerCommand } from './worker.js';
import { VERSION } from '../index.js';

/** The library's option spellings in a message, as the command line's flags. */
function asFlags(message: string): string {
  return message.replace(/\bmissing: '([a-z-]+)'/g, '--missing $1').replace(/\bmissing '([a-z-]+)'/g, '--missing $1')
    .replace(/\bskewed '([a-z]+)'/g, '--skewed $1').replace(/\bpositive '/g, "--positive '").replace(/\btask '([a-z]+)'/g, "--task $1")
    .replace(/\bclassWeight\b/g, '--class-weight').replace(/\btargetHistory\b/g, '--target-history').replace(/\btargetChange false\b/g, '--target-change off').replace(/\btargetChange true\b/g, '--target-change on').replace(/\btargetChange\b/g, '--target-change').replace(/\bsplit\.(test|validation) = /g, '--$1 ');
}

export async function main(argv: string[], log = (line: string) => console.error(line)): Promise<number> {
  const [command, ...rest] = argv;
  // The Vulkan loader behind Dawn complains on stderr when this is unset (a headless shell, CI).
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
  try {
    // `rnam --help`, and `rnam train --help` (the one usage covers every command)
    const helpFlag = (a: string) => a === '--help' || a === '-h';
    if (command === undefined || helpFlag(command) || command === 'help' || rest.some(helpFlag)) {
      console.log(usage);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === 'version') {
      console.log(VERSION);
      return 0;
    }
    let run: () => Promise<unknown>;
    // What the library says while it works names its options as flags too.
    const said = (line: string) => log(asFlags(line));
    try {
      if (command === 'train') { const a = parseTrainArgs(rest); run = () => train(a, said); }
      else if (command === 'predict') { const a = parsePredictArgs(rest); run = () => predictCommand(a, log); }
      else if (command === 'cv') { const a = parseCvArgs(rest); run = () => crossValidateCommand(a, said); }
      else if (command === 'search') { const a = parseSearchArgs(rest); run = () => searchCommand(a, said); }
      else if (command === 'worker') { const a = parseWorkerArgs(rest); run = () => workerCommand(a, log); }
      else throw new UsageError(`unknown command '${command}' (train, cv, search, predict or worker)`);
    } catch (err) {
      // A wrong command line: the usage follows the one-line message.
      if (err instanceof UsageError) (err as UsageError & { showUsage?: boolean }).showUsage = true;
      throw err;
    }
    await run();
    return 0;
  } catch (err) {
    const e = err as Error;
    // Data errors carry where (column, row, id); most messages say it already, so add only what they do not.
    const fields = e as unknown as Record<string, unknown>;
    const where = ['column', 'row', 'id'].filter((k) => fields[k] !== undefined && !e.message.includes(String(fields[k])))
      .map((k) => `${k} ${JSON.stringify(fields[k])}`).join(', ');
    log(`rnam ${command}: ${e.name === 'Error' ? '' : `${e.name}: `}${asFlags(e.message)}${where ? ` (${where})` : ''}`);
    if ((err as { showUsage?: boolean }).showUsage) log(usage);
    else if (err instanceof UsageError) log('(rnam --help for the usage)');
    if (process.env.RNAM_DEBUG) log(e.stack ?? '');
    return err instanceof UsageError ? 2 : 1;
  }
}
