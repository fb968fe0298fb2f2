// The name a downloaded model file gets, so that models of different targets do not overwrite each other.
import type { DataSpec } from './protocol.js';

/** rnam-<the target column>.safetensors for a CSV (characters a file name may not hold as _), rnam-seed or rnam-weather otherwise. */
export function modelFileName(spec: DataSpec): string {
  const stem = spec.kind === 'csv' ? spec.mapping.target.trim().replace(/[^\w.-]+/g, '_').replace(/^[._]+/, '') || 'model' : spec.kind;
  return `rnam-${stem}.safetensors`;
}
