// Prints the op-table cases that name a PyTorch expression (test/helpers/op-cases.ts) with their
// inputs and output gradient, as JSON, for make_op_fixtures.py.
import * as rnam from '../../src/index.js';
import { caseInputs, opCases } from '../helpers/op-cases.js';
import { randomArray } from '../helpers/util.js';

const gen = new rnam.Generator(2026);
const cases = opCases().filter((c) => c.torch).map((c) => {
  const inputs = caseInputs(c, gen);
  const y = rnam.noGrad(() => c.run(inputs.map((v, i) => rnam.tensor(v, c.inputs[i].shape))));
  return {
    what: c.what, torch: c.torch, shapes: c.inputs.map((i) => i.shape), inputs: inputs.map((v) => [...v]),
    dy: [...randomArray(gen, y.numel)],
  };
});
console.log(JSON.stringify(cases));
