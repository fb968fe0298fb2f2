// rnam/plot: Vega-Lite specs (rnam.explanationCharts) rendered to SVG in Node. vega and vega-lite
// are optional peer dependencies, loaded here on first use only, so `rnam` itself never needs them.
import { ArgumentError, RnamError } from '../errors.js';

interface VegaModules {
  vega: typeof import('vega');
  vegaLite: typeof import('vega-lite');
}

let loaded: Promise<VegaModules> | null = null;

function isMissingModule(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

function loadVega(): Promise<VegaModules> {
  loaded ??= Promise.all([import('vega'), import('vega-lite')]).then(
    ([vega, vegaLite]) => ({ vega, vegaLite }),
    (err: unknown) => {
      loaded = null; // installing them later in the same process can still work
      if (isMissingModule(err)) {
        throw new RnamError(`rnam/plot: rendering needs the optional packages vega and vega-lite; install them with \`npm install vega vega-lite\` (${(err as Error).message.split('\n')[0]})`, { cause: err });
      }
      throw err;
    },
  );
  return loaded;
}

/** Renders a Vega-Lite spec (a plain object, e.g. from rnam.explanationCharts) to an SVG document. */
export async function renderSvg(spec: object): Promise<string> {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new ArgumentError('renderSvg: spec must be a Vega-Lite specification (a plain object)');
  const { vega, vegaLite } = await loadVega();
  const compiled = vegaLite.compile(spec as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
