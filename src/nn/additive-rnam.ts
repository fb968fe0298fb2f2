// AdditiveRNAM: the exactly additive model over mixed inputs, y = b + sum_i f_i(x_i), with one
// term per time-varying feature (a recurrent network over its steps, plus a linear path over its
// last valid step), per numeric static feature (a small MLP) and per categorical feature (a score
// per level). Ensemble members run as more groups of the same grouped layers: group g = t * members + m.
import { Module } from './module.js';
import { Linear } from './linear.js';
import { ReLU, Sequential } from './layers.js';
import { ModuleList, RNAMBlock } from './rnam.js';
import { Tensor } from '../tensor.js';
import { defaultGenerator, Generator } from '../random.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import { ones } from '../creation.js';
import { add, affine } from '../ops/elementwise.js';
import { linear } from '../ops/linear.js';
import { cat, reshape, slice, split } from '../ops/shape.js';
import { sumFirstAxis } from '../ops/reduce.js';
import { checkLengths, lastStep } from '../ops/last-step.js';
import { ShapeError, shapeError } from '../shape.js';
import { ArgumentError } from '../errors.js';
import type { ModelDescription } from './describe.js';

export interface AdditiveRNAMOptions {
  /** Recurrent terms, one per time-varying feature (0: no sequence input). */
  sequenceTerms: number;
  /** Inputs per step of each recurrent term (value, observed flag, time since observed, ...), zero-padded to this width. */
  stepInputs: number;
  /** Numeric static features, one MLP shape function each. */
  staticTerms: number;
  /**
   * Inputs of each static MLP: 1 (the value; default) or 2 (the value, 0 where missing, and a flag that
   * it is missing), so a missing value gets a learned contribution of its own instead of the mean's.
   */
  staticInputs?: 1 | 2;
  /** Per categorical static feature its level count (an 'other' level included): one learned score per level. */
  categoricalLevels: number[];
  hiddenDim: number;
  blocks: number;
  outDim: number;
  /** Default true: per recurrent term a linear map of its last valid step's inputs, added to its recurrent contribution. */
  linear?: boolean;
  /** Default 1: ensemble members trained side by side as more groups of the same layers. */
  members?: number;
  /**
   * One seed per member: member m's parameters are those of a one-member model built with
   * memberSeeds: [memberSeeds[m]]. Default: one rnam.defaultGenerator.nextUint32() per member, so
   * rnam.manualSeed decides them; the model's options and describe() hold the seeds used.
   */
  memberSeeds?: number[];
}

/** The options with every default filled in, as the model keeps and describes them (staticInputs only when 2). */
export type ResolvedAdditiveRNAMOptions = Required<Omit<AdditiveRNAMOptions, 'staticInputs'>> & { staticInputs?: 2 };

export interface AdditiveInputs {
  /** (sequenceTerms, batch, seq, stepInputs), right-padded. */
  sequence?: Tensor | null;
  /** Per sample its valid steps (integers in [1, seq]); omitted: every step is valid. */
  lengths?: ArrayLike<number> | null;
  /** (staticTerms, batch, staticInputs): term s, sample b holds the value of numeric feature s (and with 2 inputs, 1 where it is missing). */
  static?: Tensor | null;
  /** One-hot (categoricalTerms, batch, maxLevels): row (c, b) has a 1 at sample b's level of feature c; levels past that feature's count stay 0. */
  categorical?: Tensor | null;
}

/**
 * Every member's own inputs, for training members side by side: group t * members + m holds member
 * m's batch of term t (all members' batches of one size).
 */
export interface AdditiveMemberInputs {
  /** (sequenceTerms * members, batch, seq, stepInputs), right-padded. */
  sequence?: Tensor | null;
  /** Per member its samples' valid steps, or null where every step is valid; omitted: every step of every member. */
  lengths?: readonly (ArrayLike<number> | null)[] | null;
  /** (staticTerms * members, batch, staticInputs). */
  static?: Tensor | null;
  /** One-hot (categoricalTerms * members, batch, maxLevels). */
  categorical?: Tensor | null;
}

export interface AdditiveMembersOutput {
  /** (members, batch, outDim): each member's prediction, with gradient. */
  yHat: Tensor;
  /** (terms, members, batch, outDim): each term's contribution per member, with gradient (detach before keeping). */
  contributions: Tensor;
}

export type AdditiveRNAMDescription = ModelDescription & { kind: 'AdditiveRNAM'; layout: 'terms-first'; config: ResolvedAdditiveRNAMOptions; inputs: 'mixed' };

/**
 * The recurrent terms of every member: emb, RNAM blocks, the last valid step, proj (Linear, ReLU,
 * Linear). emb and proj are grouped over terms * members (group t * members + m). The blocks run
 * one fused call per member over its terms (blocks.<i>.<m>), because the fused block's layer norm
 * affine is one (dim) vector shared by all of a call's groups: shared between members, it would
 * couple their training.
 */
export class SequenceTerms extends Module {
  readonly emb: Linear;
  readonly blocks: ModuleList<ModuleList<RNAMBlock>>;
  readonly proj: Sequential;

  constructor(readonly terms: number, readonly members: number, stepInputs: number, hiddenDim: number, blocks: number, outDim: number) {
    super();
    const groups = terms * members;
    this.emb = this.registerModule('emb', new Linear(groups, stepInputs, hiddenDim));
    this.blocks = this.registerModule('blocks', new ModuleList(Array.from({ length: blocks },
      () => new ModuleList(Array.from({ length: members }, () => new RNAMBlock(terms, hiddenDim))))));
    this.proj = this.registerModule('proj', new Sequential(
      new Linear(groups, hiddenDim, hiddenDim), new ReLU(), new Linear(groups, hiddenDim, outDim),
    ));
  }

  /**
   * x (terms * members, batch, seq, stepInputs) -> (terms * members, batch, outDim). The blocks are
   * causal: padding after a sample's last valid step changes nothing. `lengths`: one per sample, or
   * with `perMember` one per member and sample (member-major, members * batch), each member's own.
   */
  forward(x: Tensor, lengths?: ArrayLike<number> | null, perMember = false): Tensor {
    const { terms, members } = this;
    const h = this.emb.forward(x);
    const [, batch, seq, dim] = h.shape;
    const run = (hm: Tensor, m: number) => {
      const own = perMember && lengths ? Array.prototype.slice.call(lengths, m * batch, (m + 1) * batch) as number[] : lengths;
      // Only the last valid step is read: the blocks skip the padding after it.
      for (const block of this.blocks.items) hm = block.items[m].forward(hm, own);
      return lastStep(hm, own, 'AdditiveRNAM sequence');
    };
    if (members === 1) return this.proj.forward(run(h, 0));
    const last = split(reshape(h, [terms, members, batch * seq * dim]), 1, members).map((hm, m) =>
      reshape(run(reshape(hm, [terms, batch, seq, dim]), m), [terms, 1, batch * dim]));
    return this.proj.forward(reshape(cat(last, 1), [terms * members, batch, dim]));
  }
}

const positiveInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
const nonNegativeInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

function resolveOptions(options: AdditiveRNAMOptions): ResolvedAdditiveRNAMOptions {
  if (!options || typeof options !== 'object') throw new ArgumentError('AdditiveRNAM: expected an options object');
  const { sequenceTerms, stepInputs, staticTerms, hiddenDim, blocks, outDim } = options;
  const categoricalLevels = options.categoricalLevels ?? [];
  const members = options.members ?? 1;
  const linearPath = options.linear ?? true;
  const checks: [string, unknown, (v: unknown) => boolean, string][] = [
    ['sequenceTerms', sequenceTerms, nonNegativeInt, 'a non-negative integer'],
    ['stepInputs', stepInputs, positiveInt, 'a positive integer'],
    ['staticTerms', staticTerms, nonNegativeInt, 'a non-negative integer'],
    ['hiddenDim', hiddenDim, positiveInt, 'a positive integer'],
    ['blocks', blocks, nonNegativeInt, 'a non-negative integer'],
    ['outDim', outDim, positiveInt, 'a positive integer'],
    ['members', members, positiveInt, 'a positive integer'],
  ];
  for (const [name, v, ok, what] of checks) if (!ok(v)) throw new ArgumentError(`AdditiveRNAM: ${name} must be ${what}, got ${v}`);
  if (!Array.isArray(categoricalLevels) || categoricalLevels.some((n) => !positiveInt(n))) {
    throw new ArgumentError(`AdditiveRNAM: categoricalLevels must be an array of positive integers (one level count per feature), got ${JSON.stringify(categoricalLevels)}`);
  }
  if (typeof linearPath !== 'boolean') throw new ArgumentError(`AdditiveRNAM: linear must be a boolean, got ${linearPath}`);
  const staticInputs = options.staticInputs ?? 1;
  if (staticInputs !== 1 && staticInputs !== 2) throw new ArgumentError(`AdditiveRNAM: staticInputs must be 1 or 2, got ${JSON.stringify(options.staticInputs)}`);
  if (sequenceTerms + staticTerms + categoricalLevels.length === 0) throw new ArgumentError('AdditiveRNAM: the model needs at least one term (sequence, static or categorical)');
  let memberSeeds = options.memberSeeds;
  if (memberSeeds === undefined) {
    memberSeeds = Array.from({ length: members }, () => defaultGenerator.nextUint32());
  } else if (!Array.isArray(memberSeeds) || memberSeeds.length !== members || memberSeeds.some((s) => !Number.isSafeInteger(s) || s < 0)) {
    throw new ArgumentError(`AdditiveRNAM: memberSeeds must hold one non-negative integer per member (${members}), got ${JSON.stringify(memberSeeds)}`);
  }
  return {
    sequenceTerms, stepInputs, staticTerms, categoricalLevels: [...categoricalLevels], hiddenDim, blocks, outDim,
    linear: linearPath, members, memberSeeds: [...memberSeeds], ...(staticInputs === 2 ? { staticInputs } : {}),
  };
}

/** x (terms, ...rest) -> (terms * members, ...rest), group t * members + m a copy of term t. */
function tileMembers(x: Tensor, members: number): Tensor {
  if (members === 1) return x;
  const [terms, ...rest] = x.shape;
  const flat = reshape(x, [terms, 1, x.numel / terms]);
  return reshape(cat(Array.from({ length: members }, () => flat), 1), [terms * members, ...rest]);
}

/** The mean over axis 1 of (terms, members, ...rest) -> (terms, ...rest). */
function meanOverMembers(x: Tensor): Tensor {
  const [terms, members, ...rest] = x.shape;
  if (members === 1) return reshape(x, [terms, ...rest]);
  let total = slice(x, 1, 0, 1);
  for (let m = 1; m < members; m++) total = add(total, slice(x, 1, m, m + 1));
  return reshape(affine(total, 1 / members), [terms, ...rest]);
}

/**
 * The product's additive model over mixed inputs: recurrent terms over time-varying features,
 * MLP terms over numeric static features and score tables over categorical features, summed with
 * a bias. forward returns [yHat (batch, outDim), contributions (terms, batch, outDim), detached],
 * terms ordered sequence, static, categorical; with members, both are the members' means, and
 * yHat = intercept + sum of contributions up to float32 rounding.
 *
 * State-dict names: bias (members, outDim); sequence.emb.{weight,bias}; sequence.blocks.<i>.<m>.*
 * (block i of member m, an RNAMBlock over the sequence terms); sequence.proj.{0,2}.{weight,bias};
 * linear.weight (no bias: the model's bias covers it); static.{0,2,4}.{weight,bias};
 * categorical.weight (categoricalTerms * members, maxLevels, outDim). The other grouped parameters
 * have terms * members groups on axis 0, group t * members + m.
 */
export class AdditiveRNAM extends Module {
  readonly options: ResolvedAdditiveRNAMOptions;
  readonly inputLayout = 'terms-first' as const;
  readonly sequence: SequenceTerms | null;
  readonly linear: Linear | null;
  readonly static: Sequential | null;
  readonly categorical: Linear | null;
  /** The widest categorical feature's level count: the one-hot width. */
  readonly maxLevels: number;

  constructor(options: AdditiveRNAMOptions) {
    super();
    const o = resolveOptions(options);
    this.options = o;
    const { sequenceTerms, stepInputs, staticTerms, categoricalLevels, hiddenDim, blocks, outDim, members } = o;
    this.maxLevels = categoricalLevels.length ? categoricalLevels.reduce((m, l) => Math.max(m, l), 0) : 0;
    this.registerParameter('bias', this.constantParameter([members, outDim], 0));
    // The layers draw their initial values from the default generator; every value is redrawn
    // below from the members' own generators, so the default stream is put back as it was.
    const saved = defaultGenerator.getState();
    try {
      this.sequence = sequenceTerms ? this.registerModule('sequence', new SequenceTerms(sequenceTerms, members, stepInputs, hiddenDim, blocks, outDim)) : null;
      this.linear = sequenceTerms && o.linear ? this.registerModule('linear', new Linear(sequenceTerms * members, stepInputs, outDim, { bias: false })) : null;
      this.static = staticTerms ? this.registerModule('static', new Sequential(
        new Linear(staticTerms * members, o.staticInputs ?? 1, hiddenDim), new ReLU(),
        new Linear(staticTerms * members, hiddenDim, hiddenDim), new ReLU(),
        new Linear(staticTerms * members, hiddenDim, outDim),
      )) : null;
      this.categorical = categoricalLevels.length
        ? this.registerModule('categorical', new Linear(categoricalLevels.length * members, this.maxLevels, outDim, { bias: false }))
        : null;
    } finally {
      defaultGenerator.setState(saved);
    }
    this.initMembers();
  }

  /**
   * One model whose members are the given one-member models (same options but the seed), their
   * weights copied into the members' groups: its output is their mean, and each term's contribution
   * the mean of theirs, so the ensemble stays exactly additive. Member m of the result computes what
   * models[m] computes.
   */
  static async fromMembers(models: readonly AdditiveRNAM[]): Promise<AdditiveRNAM> {
    if (models.length < 1) throw new ArgumentError('AdditiveRNAM.fromMembers: needs at least one model');
    const { memberSeeds: _seeds, members: _members, ...shared } = models[0].options;
    for (const m of models) {
      const { memberSeeds: _s, members, ...o } = m.options;
      if (members !== 1 || JSON.stringify(o) !== JSON.stringify(shared)) throw new ArgumentError('AdditiveRNAM.fromMembers: every model must have one member and the same options');
    }
    const M = models.length;
    const out = new AdditiveRNAM({ ...shared, members: M, memberSeeds: models.map((m) => m.options.memberSeeds[0]) });
    const sources = await Promise.all(models.map(async (m) => {
      const entries = Object.entries(m.stateDict());
      return new Map(await Promise.all(entries.map(async ([k, t]) => [k, await t.toArray()] as const)));
    }));
    const state: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(out.stateDict())) {
      const data = new Float32Array(t.numel);
      const block = /^sequence\.blocks\.(\d+)\.(\d+)\.(.*)$/.exec(name);
      if (block) {
        data.set(sources[Number(block[2])].get(`sequence.blocks.${block[1]}.0.${block[3]}`)!);
      } else if (name === 'bias') {
        sources.forEach((s, m) => data.set(s.get('bias')!, m * t.shape[1]));
      } else {
        // A grouped layer: group t * M + m of the ensemble is group t of member m.
        const groups = t.shape[0] / M, per = t.numel / t.shape[0];
        sources.forEach((s, m) => {
          const src = s.get(name)!;
          for (let g = 0; g < groups; g++) data.set(src.subarray(g * per, (g + 1) * per), (g * M + m) * per);
        });
      }
      state[name] = Tensor.fromArray(data, t.shape, t.device);
    }
    out.loadStateDict(state);
    for (const t of Object.values(state)) t.dispose();
    return out;
  }

  /**
   * Member m draws, from new Generator(memberSeeds[m]), every Linear parameter in state-dict order,
   * and within one, its terms in order, each uniform within 1/sqrt(inDim) as PyTorch's nn.Linear;
   * layer norms start at ones and zeros, the bias at zero. Score rows past a categorical
   * feature's level count are zero (no one-hot reaches them).
   */
  private initMembers(): void {
    const { members, memberSeeds, categoricalLevels } = this.options;
    // Per Linear parameter its bound, and the member it belongs to when one member's block owns it.
    const bounds = new Map<Tensor, number>(), owner = new Map<Tensor, number>();
    const visit = (mod: Module, member: number | null) => {
      if (mod instanceof Linear) {
        for (const p of [mod.weight, mod.bias]) {
          if (!p) continue;
          bounds.set(p, 1 / Math.sqrt(mod.inDim));
          if (member !== null) owner.set(p, member);
        }
      }
      const inBlocks = this.sequence && this.sequence.blocks.items.includes(mod as ModuleList<RNAMBlock>);
      for (const [name, child] of mod.namedChildren()) visit(child, inBlocks ? Number(name) : member);
    };
    visit(this, null);
    const params = this.parameters().filter((p) => bounds.has(p));
    const values = params.map((p) => new Float32Array(p.numel));
    for (let m = 0; m < members; m++) {
      const gen = new Generator(memberSeeds[m]);
      params.forEach((p, i) => {
        const bound = bounds.get(p)!, own = owner.get(p);
        if (own !== undefined) {
          if (own === m) gen.fillUniform(values[i], -bound, bound);
          return;
        }
        const terms = p.shape[0] / members, per = p.numel / p.shape[0];
        for (let t = 0; t < terms; t++) {
          const start = (t * members + m) * per;
          gen.fillUniform(values[i].subarray(start, start + per), -bound, bound);
        }
      });
    }
    if (this.categorical) {
      const i = params.indexOf(this.categorical.weight), { outDim } = this.options;
      categoricalLevels.forEach((levels, c) => {
        for (let m = 0; m < members; m++) {
          const g = c * members + m;
          values[i].fill(0, (g * this.maxLevels + levels) * outDim, (g + 1) * this.maxLevels * outDim);
        }
      });
    }
    params.forEach((p, i) => p.device.write(p.buffer, values[i]));
  }

  /**
   * Where member m's values lie in each parameter: row `start` of each of the `outer` blocks of the
   * parameter read as (outer, rows, inner) (grouped layers: outer terms, rows members, start m; the
   * bias: row m of members; member m's own blocks whole). Other members' blocks are left out.
   */
  memberParts(m: number): { name: string; param: Tensor; outer: number; rows: number; inner: number; start: number }[] {
    const { members } = this.options;
    if (!Number.isInteger(m) || m < 0 || m >= members) throw new ArgumentError(`${this.toString()}: member ${m} is not in [0, ${members})`);
    const parts: ReturnType<AdditiveRNAM['memberParts']> = [];
    for (const [name, param] of this.namedParameters()) {
      const block = /^sequence\.blocks\.\d+\.(\d+)\./.exec(name);
      if (block) {
        if (Number(block[1]) === m) parts.push({ name, param, outer: 1, rows: 1, inner: param.numel, start: 0 });
      } else if (name === 'bias') {
        parts.push({ name, param, outer: 1, rows: members, inner: param.shape[1], start: m });
      } else {
        parts.push({ name, param, outer: param.shape[0] / members, rows: members, inner: param.numel / param.shape[0], start: m });
      }
    }
    return parts;
  }

  /** The model's bias per member, (members, outDim). */
  get bias(): Tensor {
    return this.param('bias');
  }

  /** (outDim): the members' mean bias, a detached copy; yHat = intercept + sum of contributions. */
  get intercept(): Tensor {
    const { members } = this.options;
    return noGrad(() => affine(sumFirstAxis(this.bias), 1 / members));
  }

  /** The number of additive terms: sequence, static and categorical features. */
  get terms(): number {
    const { sequenceTerms, staticTerms, categoricalLevels } = this.options;
    return sequenceTerms + staticTerms + categoricalLevels.length;
  }

  /**
   * [yHat (batch, outDim), contributions (terms, batch, outDim), detached]: the members' means.
   * x: the sequence input (sequenceTerms, batch, seq, stepInputs) or null, or every input as one
   * AdditiveInputs object.
   */
  forward(x: Tensor | AdditiveInputs | null, lengths?: ArrayLike<number> | null,
    extra?: { static?: Tensor | null; categorical?: Tensor | null }): [Tensor, Tensor] {
    const { yHat, contributions } = this.membersPass(x, lengths, extra);
    const members = this.options.members;
    const mean = members === 1 ? reshape(yHat, yHat.shape.slice(1)) : affine(sumFirstAxis(yHat), 1 / members);
    return [mean, noGrad(() => meanOverMembers(contributions.detach()))];
  }

  /** Every member's output: yHat (members, batch, outDim) with gradient, contributions (terms, members, batch, outDim). */
  forwardMembers(x: Tensor | AdditiveInputs | null, lengths?: ArrayLike<number> | null,
    extra?: { static?: Tensor | null; categorical?: Tensor | null }): AdditiveMembersOutput {
    // Its own memory scope, as forward's: intermediates are freed with the graph.
    return tidy(() => this.membersPass(x, lengths, extra));
  }

  /**
   * Every member's output on its own inputs (yHat (members, batch, outDim) with gradient,
   * contributions (terms, members, batch, outDim)): member m computes on its groups of `inputs` what
   * a one-member model with its weights computes on that batch, bit for bit on the CPU backend.
   */
  forwardEachMember(inputs: AdditiveMemberInputs): AdditiveMembersOutput {
    if (!inputs || typeof inputs !== 'object' || inputs instanceof Tensor) throw new ArgumentError(`${this.toString()}: forwardEachMember takes the members' inputs { sequence, lengths, static, categorical }`);
    return tidy(() => this.membersPass({ ...inputs, lengths: null }, undefined, undefined, inputs.lengths ?? null));
  }

  /** `ownLengths` given: the inputs hold every member's own groups (forwardEachMember), else one batch tiled to every member. */
  private membersPass(x: Tensor | AdditiveInputs | null, lengths?: ArrayLike<number> | null,
    extra?: { static?: Tensor | null; categorical?: Tensor | null }, ownLengths?: readonly (ArrayLike<number> | null)[] | null): AdditiveMembersOutput {
    const inputs: AdditiveInputs = x instanceof Tensor || x == null
      ? { sequence: x, lengths, static: extra?.static, categorical: extra?.categorical } : x;
    const { members, outDim } = this.options;
    const laidOut = ownLengths !== undefined;
    if (laidOut && !this.sequence && ownLengths?.some((l) => l != null)) throw new ArgumentError(`${this.toString()}: lengths given, but the model has no sequence terms`);
    const batch = this.checkInputs(inputs, laidOut ? members : 1);
    const tile = (t: Tensor) => (laidOut ? t : tileMembers(t, members));
    const parts: Tensor[] = [];
    if (this.sequence) {
      const seq = tile(inputs.sequence!);
      if (laidOut) {
        // Each member's lengths, member-major: (terms * members, batch, ...) read as (terms, members * batch, ...).
        const lens = this.memberLengths(ownLengths, batch, seq.shape[2]);
        let out = this.sequence.forward(seq, lens, true);
        if (this.linear) {
          const [groups, , steps, width] = seq.shape;
          const last = lastStep(reshape(seq, [groups / members, members * batch, steps, width]), lens, this.toString());
          out = add(out, this.linear.forward(reshape(last, [groups, batch, width])));
        }
        parts.push(out);
      } else {
        let out = this.sequence.forward(seq, inputs.lengths);
        if (this.linear) out = add(out, this.linear.forward(lastStep(seq, inputs.lengths, this.toString())));
        parts.push(out);
      }
    }
    if (this.static) parts.push(this.static.forward(tile(inputs.static!)));
    if (this.categorical) parts.push(this.categorical.forward(tile(inputs.categorical!)));
    const all = parts.length === 1 ? parts[0] : cat(parts, 0); // (terms * members, batch, outDim)
    const terms = this.terms;
    const summed = reshape(sumFirstAxis(reshape(all, [terms, members * batch * outDim])), [members, batch, outDim]);
    // Each member's bias over the batch, exactly: a one-row linear map of ones (1 * b = b).
    const bias = linear(ones([members, batch, 1], { device: all.device }), reshape(this.bias, [members, 1, outDim]), null, this.toString());
    return { yHat: add(summed, bias), contributions: reshape(all, [terms, members, batch, outDim]) };
  }

  /** The members' own lengths as one member-major array (null when every step of every member is valid). */
  private memberLengths(own: readonly (ArrayLike<number> | null)[] | null | undefined, batch: number, seq: number): Int32Array | null {
    const { members } = this.options;
    if (own == null || own.every((l) => l == null)) return null;
    if (!Array.isArray(own) || own.length !== members) throw new ArgumentError(`${this.toString()}: lengths must hold one entry per member (${members}), got ${own.length}`);
    const out = new Int32Array(members * batch).fill(seq);
    own.forEach((l, m) => {
      if (l == null) return;
      checkLengths(`${this.toString()}: member ${m} lengths`, l, batch, seq);
      for (let b = 0; b < batch; b++) out[m * batch + b] = l[b];
    });
    return out;
  }

  /** Checks every input against the options (each term's groups `perTerm` of them) and returns the batch size. */
  private checkInputs(inputs: AdditiveInputs, perTerm = 1): number {
    const where = this.toString();
    const { sequenceTerms, stepInputs, staticTerms, categoricalLevels } = this.options;
    const batches: [string, number][] = [];
    const expect = (name: string, t: Tensor | null | undefined, count: number, shape: (t: Tensor) => boolean, wanted: string) => {
      if (count === 0) {
        if (t != null) throw new ArgumentError(`${where}: got a ${name} input, but the model has no ${name} terms`);
        return;
      }
      if (!(t instanceof Tensor)) throw new ArgumentError(`${where}: the ${name} input ${wanted} is required`);
      if (!shape(t) || t.shape[0] !== count || t.shape[1] < 1) throw shapeError(where, name, wanted, t.shape);
      batches.push([name, t.shape[1]]);
    };
    expect('sequence', inputs.sequence, sequenceTerms * perTerm, (t) => t.ndim === 4 && t.shape[2] >= 1 && t.shape[3] === stepInputs,
      `(${sequenceTerms * perTerm}, batch, seq >= 1, ${stepInputs})`);
    const staticInputs = this.options.staticInputs ?? 1;
    expect('static', inputs.static, staticTerms * perTerm, (t) => t.ndim === 3 && t.shape[2] === staticInputs, `(${staticTerms * perTerm}, batch, ${staticInputs})`);
    expect('categorical', inputs.categorical, categoricalLevels.length * perTerm, (t) => t.ndim === 3 && t.shape[2] === this.maxLevels,
      `(${categoricalLevels.length * perTerm}, batch, ${this.maxLevels}) one-hot`);
    if (inputs.lengths != null && !sequenceTerms) throw new ArgumentError(`${where}: lengths given, but the model has no sequence terms`);
    const devices = [inputs.sequence, inputs.static, inputs.categorical].filter((t): t is Tensor => t instanceof Tensor);
    if (devices.some((t) => t.device !== this.bias.device)) {
      throw new ArgumentError(`${where}: every input must be on the model's device (${this.bias.device.kind})`);
    }
    const batch = batches[0][1];
    const other = batches.find(([, b]) => b !== batch);
    if (other) throw new ShapeError(`${where}: the ${batches[0][0]} input has batch ${batch}, the ${other[0]} input batch ${other[1]}`);
    return batch;
  }

  describe(): AdditiveRNAMDescription {
    return {
      kind: 'AdditiveRNAM', layout: 'terms-first', inputFeatures: this.terms, outputs: this.options.outDim, inputs: 'mixed',
      config: structuredClone(this.options), additive: { terms: this.terms, intercept: this.intercept },
    };
  }

  override toString(): string {
    const { sequenceTerms, stepInputs, staticTerms, categoricalLevels, hiddenDim, blocks, outDim, members } = this.options;
    return `AdditiveRNAM(sequenceTerms=${sequenceTerms}, stepInputs=${stepInputs}, staticTerms=${staticTerms}, `
      + `categoricalLevels=[${categoricalLevels.join(', ')}], hiddenDim=${hiddenDim}, blocks=${blocks}, outDim=${outDim}, members=${members})`;
  }
}
