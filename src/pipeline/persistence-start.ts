// A forecast whose target is also an input starts at persistence (the next value is the last one):
// each member's linear path reads the target's last value with the weight that maps it, standardized
// as an input, to the standardized target. Training then learns the corrections to persistence
// instead of first learning persistence itself, which a small series with early stopping rarely
// finishes: on the shipped chicago series test RMSE 2.264 -> 2.138, on lme4's sleepstudy 40.0 ->
// 35.2 (docs/accuracy.md). The model family is unchanged; only where training starts.
import type { AdditiveRNAM } from '../nn/additive-rnam.js';
import type { Preprocessing } from './preprocessing.js';
import { tensor } from '../creation.js';

/**
 * Sets the target term's last-value weight of every member's linear path: regression on a numeric
 * target read as it is, in window mode or in panel mode with target history (whose last step reads
 * the value before the one predicted).
 */
export function startAtPersistence(model: AdditiveRNAM, pre: Preprocessing, members: number): void {
  const r = pre.record;
  // A target learned as a change starts at persistence already (a change of 0).
  if ((r.mode !== 'window' && !r.targetHistory) || pre.task !== 'regression' || !model.linear || !r.mixed || r.mixed.targetChange) return;
  const term = r.mixed.sequence.findIndex((s) => s.name === r.columns.target);
  const input = r.mixed.sequence[term], target = r.mixed.target;
  // A log-scaled input is not the target's scale: persistence is not linear in it.
  if (term < 0 || !target || input.log) return;
  const w = model.linear.weight, [, inputs, outputs] = w.shape, values = w.toArraySync().slice();
  // Groups are term-major (term t, member m at t * members + m); step input 0 is the value carried forward.
  for (let m = 0; m < members; m++) values[(term * members + m) * inputs * outputs] = input.std / target.std;
  model.loadStateDict({ 'linear.weight': tensor(values, w.shape) }, { strict: false });
}
