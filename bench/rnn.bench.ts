// One training step of SimpleRNN, GRU and LSTM (input 1, hidden 8 and 64, batch 128, seq 1024,
// batch-first; a Linear head on hN; MSE; AdamW) and the forward pass alone, on every available
// backend, and in PyTorch (nn.RNN / nn.GRU / nn.LSTM, float32, CPU) when /usr/bin/python3 has torch.
//   npm run bench:rnn              (--seq 128 --steps 2 for a quicker look, --no-torch, --no-webgpu, --hidden 8,64)
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import os, { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import * as rnam from '../src/index.js';
import { forwardPass, timeMs, trainingStep } from './steps.js';

const { values: a } = parseArgs({
  options: {
    batch: { type: 'string', default: '128' }, seq: { type: 'string', default: '1024' }, steps: { type: 'string', default: '3' },
    hidden: { type: 'string', default: '8,64' }, 'no-torch': { type: 'boolean', default: false },
    'no-webgpu': { type: 'boolean', default: false },
  },
});
const [batch, seq, steps] = [a.batch, a.seq, a.steps].map(Number);
const hiddens = a.hidden!.split(',').map(Number);
const MODELS = ['SimpleRNN', 'GRU', 'LSTM'] as const;


async function benchModel(device: rnam.Backend, name: (typeof MODELS)[number], hidden: number): Promise<[number, number]> {
  rnam.manualSeed(0);
  const options = { inputSize: 1, hiddenSize: hidden, batchFirst: true };
  const rnn = (name === 'SimpleRNN' ? new rnam.SimpleRNN(options) : name === 'GRU' ? new rnam.GRU(options) : new rnam.LSTM(options)).to(device);
  const head = new rnam.Linear(1, hidden, 1).to(device);
  const params = [...rnn.parameters(), ...head.parameters()];
  const opt = new rnam.AdamW(params, { lr: 1e-3 });
  const gen = new rnam.Generator(1);
  const x = rnam.tensor(gen.fillUniform(new Float32Array(batch * seq), -1, 1), [batch, seq, 1], { device });
  const y = rnam.tensor(gen.fillUniform(new Float32Array(batch), -1, 1), [1, batch, 1], { device });
  const predict = () => {
    const [, state] = rnn.forward(x) as [rnam.Tensor, rnam.Tensor | [rnam.Tensor, rnam.Tensor]];
    return head.forward(Array.isArray(state) ? state[0] : state);
  };
  const train = trainingStep(opt, () => rnam.mseLoss(predict(), y));
  const forward = forwardPass(predict);
  const result: [number, number] = [await timeMs(train, steps), await timeMs(forward, steps)];
  for (const t of [x, y]) t.dispose();
  opt.zeroGrad();
  return result;
}

const TORCH = `
import sys, time, json, torch
batch, seq, steps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
hiddens = [int(h) for h in sys.argv[4].split(',')]
torch.manual_seed(0)
out = {}
for name, cls in (('SimpleRNN', torch.nn.RNN), ('GRU', torch.nn.GRU), ('LSTM', torch.nn.LSTM)):
    for hidden in hiddens:
        rnn, head = cls(1, hidden, batch_first=True), torch.nn.Linear(hidden, 1)
        params = list(rnn.parameters()) + list(head.parameters())
        opt = torch.optim.AdamW(params, lr=1e-3)
        x, y = torch.rand(batch, seq, 1) * 2 - 1, torch.rand(batch, 1) * 2 - 1
        def predict():
            _, state = rnn(x)
            return head((state[0] if isinstance(state, tuple) else state)[-1])
        def train():
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(predict(), y)
            loss.backward()
            opt.step()
            loss.item()
        def forward():
            with torch.no_grad():
                predict()
        res = []
        for fn in (train, forward):
            fn()
            times = []
            for _ in range(steps):
                t = time.perf_counter(); fn(); times.append((time.perf_counter() - t) * 1000)
            times.sort()
            res.append(times[len(times) // 2])
        out[f'{name} {hidden}'] = res
print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'results': out}))
`;

function torchResults(): { label: string; results: Record<string, [number, number]> } | string {
  if (a['no-torch']) return 'skipped (--no-torch)';
  const r = spawnSync('/usr/bin/python3', ['-c', TORCH, String(batch), String(seq), String(steps), hiddens.join(',')],
    { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return `not run: ${(r.stderr || r.error?.message || 'no /usr/bin/python3 with torch').trim().split('\n').pop()}`;
  const parsed = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return { label: `PyTorch ${parsed.torch} CPU (${parsed.threads} threads)`, results: parsed.results };
}

// Without a GPU, Dawn runs on SwiftShader (Debian's chromium ships it), as in the test suites.
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
process.env.XDG_RUNTIME_DIR ??= tmpdir();
const devices: rnam.Backend[] = [await rnam.device('wasm')];
if (!a['no-webgpu']) {
  try {
    const gpu = await rnam.device('webgpu');
    devices.push(gpu);
  } catch (err) {
    console.log(`webgpu: not available (${(err as Error).message})`);
  }
}

console.log(`training step (AdamW, MSE on a Linear head over hN) and forward of SimpleRNN / GRU / LSTM, input 1, batch ${batch}, `
  + `seq ${seq}, batch-first; ${os.cpus()[0]?.model ?? 'CPU'}, ${os.cpus().length} cores, Node ${process.version}; median of ${steps}, ms\n`);
const torch = torchResults();
const header = ['model', 'hidden', ...devices.flatMap((d) => [`${d.description} step`, 'forward']),
  ...(typeof torch === 'string' ? [] : [`${torch.label} step`, 'forward'])];
console.log(`| ${header.join(' | ')} |\n|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`);
for (const name of MODELS) {
  for (const hidden of hiddens) {
    const cells: string[] = [name, String(hidden)];
    for (const d of devices) {
      const [train, fwd] = await benchModel(d, name, hidden);
      cells.push(train.toFixed(0), fwd.toFixed(0));
    }
    if (typeof torch !== 'string') {
      const t = torch.results[`${name} ${hidden}`];
      cells.push(t[0].toFixed(0), t[1].toFixed(0));
    }
    console.log(`| ${cells.join(' | ')} |`);
  }
}
if (typeof torch === 'string') console.log(`\nPyTorch: ${torch}`);
console.log(`\npeak resident memory of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
process.exit(0);
