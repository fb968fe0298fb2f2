// Types of build-demo.mjs for the TypeScript tests.
export function buildDemo(outDir?: string, options?: { minify?: boolean }): Promise<{ outDir: string; main: number; worker: number }>;
