"""Golden cases for rnam.ImplicitRNN: torchidl's ImplicitRNN equations in float64 PyTorch.

    /usr/bin/python3 test/golden/make_implicit_fixtures.py   # writes test/fixtures/implicit_golden.json

The module tree mirrors torchidl (recurrent.layer.A/B/C/D, linear.weight/bias) so the state-dict
names are torchidl's. Forward: at each step U = [x_t, h_{t-1}] (h_0 = 0), X = relu(Ap X + B U)
solved by Picard iteration to 1e-15 in float64, where Ap = A * kappa / ||A||_inf when that norm
exceeds kappa (torchidl's project_onto_Linf_ball); h_t = C X + D U; y = linear(h_T).
Gradients come from autograd, independently of rnam's adjoint iteration: with the ReLU mask M of
the converged solution fixed, X is re-expressed as the exact solution of the linear system
(I - diag(M) Ap) X = diag(M) B U (torch.linalg.solve), which is differentiable in Ap, B and U and
has the same derivative as the fixed point. The gradient of A passes straight through the
projection, as in torchidl (its autograd Function returns dL/dAp as A's gradient).
Parameters and inputs are drawn in float32 so that the values rnam loads are exactly these.
"""
import json
import os

import torch
from torch import nn

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'fixtures', 'implicit_golden.json')


def project(A, kappa):
    norm = A.abs().sum(dim=1).max()
    return A * (kappa / norm) if norm > kappa else A


class ImplicitLayer(nn.Module):
    def __init__(self, n, q, h, scale_a=1.0):
        super().__init__()
        f32 = lambda *s: torch.randn(*s, dtype=torch.float32).double()
        self.A = nn.Parameter(f32(n, n) * scale_a / n)
        self.B = nn.Parameter(f32(n, q) / n)
        self.C = nn.Parameter(f32(h, n) / n)
        self.D = nn.Parameter(f32(h, q) / n)

    def forward(self, U, kappa):
        Ap = self.A + (project(self.A.detach(), kappa) - self.A.detach())  # value projected, gradient straight through
        with torch.no_grad():
            Z = U @ self.B.T
            X = torch.zeros(U.shape[0], self.A.shape[0])
            for _ in range(100000):
                nxt = torch.relu(X @ Ap.T + Z)
                err = (nxt - X).abs().max()
                X = nxt
                if err < 1e-15:
                    break
            else:
                raise RuntimeError('reference fixed point did not converge')
            M = ((X @ Ap.T + Z) > 0).double()
        n = self.A.shape[0]
        system = torch.eye(n).unsqueeze(0) - M.unsqueeze(2) * Ap.unsqueeze(0)          # (m, n, n)
        rhs = (M * (U @ self.B.T)).unsqueeze(2)                                          # (m, n, 1)
        X = torch.linalg.solve(system, rhs).squeeze(2)
        return X @ self.C.T + U @ self.D.T


class ImplicitRNNCell(nn.Module):
    def __init__(self, p, n, h, scale_a):
        super().__init__()
        self.hidden_dim = h
        self.layer = ImplicitLayer(n, p + h, h, scale_a)

    def forward(self, x, kappa):
        h = torch.zeros(x.shape[0], self.hidden_dim)
        for t in range(x.shape[1]):
            h = self.layer(torch.cat((x[:, t, :], h), dim=-1), kappa)
        return h


class ImplicitRNN(nn.Module):
    def __init__(self, p, q, n, h, kappa=0.99, scale_a=1.0):
        super().__init__()
        self.kappa = kappa
        self.recurrent = ImplicitRNNCell(p, n, h, scale_a)
        self.linear = nn.Linear(h, q)
        with torch.no_grad():  # float32-representable values
            for prm in self.linear.parameters():
                prm.copy_(prm.float().double())

    def forward(self, x):
        return self.linear(self.recurrent(x, self.kappa))


def case(name, p, q, n, h, batch, seq, kappa=0.99, scale_a=1.0):
    model = ImplicitRNN(p, q, n, h, kappa, scale_a)
    x = torch.randn(batch, seq, p, dtype=torch.float32).double().requires_grad_(True)
    y = model(x)
    dy = torch.randn(batch, q, dtype=torch.float32).double()
    (y * dy).sum().backward()
    flat = lambda t: t.detach().reshape(-1).tolist()
    return {
        'name': name, 'inputDim': p, 'outputDim': q, 'implicitHiddenDim': n, 'hiddenDim': h, 'kappa': kappa,
        'batch': batch, 'seq': seq, 'x': flat(x),
        'state': {k: {'shape': list(v.shape), 'values': flat(v)} for k, v in model.state_dict().items()},
        'y': flat(y), 'dy': flat(dy),
        'grads': {k: flat(v.grad) for k, v in model.named_parameters()},
        'dx': flat(x.grad),
    }


def main():
    torch.manual_seed(0)
    cases = [
        case('tiny', 1, 1, 4, 3, 2, 5),
        case('odd sizes', 3, 2, 7, 5, 3, 4),
        case('n 13', 2, 3, 13, 6, 4, 3),
        case('projection active (A x 5)', 1, 1, 16, 8, 2, 6, scale_a=5.0),
        case('kappa 0.5', 4, 2, 9, 11, 3, 3, kappa=0.5, scale_a=3.0),
        case('n 21, h 17', 2, 1, 21, 17, 2, 4),
    ]
    with open(OUT, 'w') as f:
        json.dump({'generator': 'test/golden/make_implicit_fixtures.py', 'torch': torch.__version__, 'cases': cases}, f)
    print(f'wrote {len(cases)} cases to {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes)')


if __name__ == '__main__':
    main()
