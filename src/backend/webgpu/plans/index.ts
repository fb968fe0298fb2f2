// The WebGPU plan of every kernel of the spec, by family. Typed over KernelName, so a kernel
// without a plan is a type error.
import type { KernelName } from '../../../kernels/spec.js';
import type { KernelPlan } from '../plan.js';
import { derivedPlans } from './derived.js';
import { elementwisePlans } from './elementwise.js';
import { implicitPlans } from './implicit.js';
import { layernormPlans } from './layernorm.js';
import { linearPlans } from './linear.js';
import { lossPlans } from './loss.js';
import { mingruPlans } from './mingru.js';
import { optimPlans } from './optim.js';
import { reducePlans } from './reduce.js';
import { rnamblockPlans } from './rnamblock.js';
import { rnnPlans } from './rnn.js';

export const plans: { readonly [K in KernelName]: KernelPlan<K> } = {
  ...linearPlans, ...mingruPlans, ...layernormPlans, ...elementwisePlans,
  ...reducePlans, ...optimPlans, ...rnnPlans, ...implicitPlans, ...derivedPlans,
  ...lossPlans, ...rnamblockPlans,
};
