// The plan table: every kernel of the spec, from its family's file or derived from the spec.
import type { PlanTable } from '../plan.js';
import { derivedPlans } from './derived.js';
import { elementwisePlans } from './elementwise.js';
import { implicitPlans } from './implicit.js';
import { layernormPlans } from './layernorm.js';
import { linearPlans } from './linear.js';
import { mingruPlans } from './mingru.js';
import { rnamblockPlans } from './rnamblock.js';
import { rnnPlans } from './rnn.js';

export const plans: PlanTable = {
  ...linearPlans, ...mingruPlans, ...layernormPlans, ...elementwisePlans, ...rnnPlans, ...implicitPlans,
  ...rnamblockPlans, ...derivedPlans,
};
