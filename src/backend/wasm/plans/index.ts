// The plan table: every kernel of the spec, from its family's file.
import type { PlanTable } from '../plan.js';
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
import { unaryPlans } from './unary.js';

export const plans: PlanTable = {
  ...linearPlans, ...mingruPlans, ...layernormPlans, ...unaryPlans, ...elementwisePlans,
  ...reducePlans, ...optimPlans, ...rnnPlans, ...implicitPlans, ...derivedPlans,
  ...lossPlans, ...rnamblockPlans,
};
