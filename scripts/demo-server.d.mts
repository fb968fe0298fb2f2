// Types of demo-server.mjs for the TypeScript tests.
import type { Server } from 'node:http';
export const isolationHeaders: Record<string, string>;
export const baseHeaders: Record<string, string>;
export const allowedMethods: readonly string[];
export function serveDemo(dir: string, options?: { port?: number; isolate?: boolean }): Promise<Server>;
