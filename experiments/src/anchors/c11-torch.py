"""
PyTorch anchor for claim 11 (regularisation on 200 mnist digits): the same MLP 1x256 ReLU, He init,
batch 32, 40 epochs, eval-mode accuracies, on the digits of claim 11's dev seed written by
c11-dump-digits.ts. L2 as weight_decay on the weights only (as hps: biases do not decay); dropout
nn.Dropout(p) after the hidden layer. Mean over 3 torch seeds.
  pnpm exec tsx experiments/src/anchors/c11-dump-digits.ts /tmp && /usr/bin/python3 experiments/src/anchors/c11-torch.py [adam|sgd] [/tmp]
Spiral arm (c11-spiral.ts): MLP 2x100 ReLU, He, Adam 1e-2, batch 30, 500 epochs, dropout after each hidden
layer, on hps's own splits of seeds 0-2 (torch seed = that seed), at the strengths hps chose on dev seed 100:
  pnpm exec tsx experiments/src/anchors/c11-dump-spiral.ts /tmp && /usr/bin/python3 experiments/src/anchors/c11-torch.py spiral [/tmp]
"""
import numpy as np, torch, sys
opt_name = sys.argv[1] if len(sys.argv) > 1 else 'adam'
DIR = sys.argv[2] if len(sys.argv) > 2 else '/tmp'
torch.set_num_threads(1)
if opt_name == 'spiral':
    def load(n, seed, k, dt, shape):
        return torch.tensor(np.fromfile('%s/c11-spiral-%d-%d-%s.bin' % (DIR, n, seed, k), dtype=dt).reshape(shape))
    def run_spiral(n, seed, l2=0.0, p=0.0):
        tx, vx = load(n, seed, 'trainX', np.float32, (n, 2)), load(n, seed, 'valX', np.float32, (1000, 2))
        ty, vy = load(n, seed, 'trainY', np.int32, (n,)).long(), load(n, seed, 'valY', np.int32, (1000,)).long()
        torch.manual_seed(seed)
        layers = []
        for i, o in [(2, 100), (100, 100)]:
            layers += [torch.nn.Linear(i, o), torch.nn.ReLU()] + ([torch.nn.Dropout(p)] if p else [])
        net = torch.nn.Sequential(*layers, torch.nn.Linear(100, 3))
        lin = [m for m in net if isinstance(m, torch.nn.Linear)]
        for m in lin: torch.nn.init.kaiming_normal_(m.weight, nonlinearity='relu'); torch.nn.init.zeros_(m.bias)
        opt = torch.optim.Adam([{'params': [m.weight for m in lin], 'weight_decay': l2}, {'params': [m.bias for m in lin], 'weight_decay': 0}], lr=1e-2)
        g = torch.Generator().manual_seed(seed)
        for e in range(500):
            net.train()
            perm = torch.randperm(n, generator=g)
            for i in range(0, n, 30):
                idx = perm[i:i+30]
                opt.zero_grad(); torch.nn.functional.cross_entropy(net(tx[idx]), ty[idx]).backward(); opt.step()
        net.eval()
        with torch.no_grad():
            return (net(tx).argmax(1) == ty).float().mean().item(), (net(vx).argmax(1) == vy).float().mean().item()
    # hps's dev-seed choices (docs/experiments/11-regularisation-gap.json, numbers.spiral).
    for n, p, l2 in [(60, 0.1, 3e-3), (90, 0.2, 1e-4)]:
        for name, kw in [('none', {}), ('dropout %g' % p, {'p': p}), ('L2 %g' % l2, {'l2': l2})]:
            r = [run_spiral(n, s, **kw) for s in range(3)]
            print('spiral', n, name.ljust(12), 'train %.3f val %.3f gap %.3f' % (np.mean([a for a, _ in r]), np.mean([b for _, b in r]), np.mean([a - b for a, b in r])), 'per seed', ' '.join('%.3f' % (a - b) for a, b in r))
    sys.exit(0)
tx = torch.tensor(np.fromfile(DIR + '/c11-trainX.bin', dtype=np.float32).reshape(200, 784))
ty = torch.tensor(np.fromfile(DIR + '/c11-trainY.bin', dtype=np.int32).astype(np.int64))
vx = torch.tensor(np.fromfile(DIR + '/c11-valX.bin', dtype=np.float32).reshape(1000, 784))
vy = torch.tensor(np.fromfile(DIR + '/c11-valY.bin', dtype=np.int32).astype(np.int64))
def run(seed, l2=0.0, p=0.0, epochs=40):
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(784, 256), torch.nn.ReLU()]
    if p: layers.append(torch.nn.Dropout(p))
    layers.append(torch.nn.Linear(256, 10))
    net = torch.nn.Sequential(*layers)
    for m in net:
        if isinstance(m, torch.nn.Linear): torch.nn.init.kaiming_normal_(m.weight, nonlinearity='relu'); torch.nn.init.zeros_(m.bias)
    ws = [m.weight for m in net if isinstance(m, torch.nn.Linear)]; bs = [m.bias for m in net if isinstance(m, torch.nn.Linear)]
    groups = [{'params': ws, 'weight_decay': l2}, {'params': bs, 'weight_decay': 0}]
    opt = torch.optim.Adam(groups, lr=1e-3) if opt_name == 'adam' else torch.optim.SGD(groups, lr=0.01, momentum=0.9)
    g = torch.Generator().manual_seed(seed)
    for e in range(epochs):
        net.train()
        perm = torch.randperm(200, generator=g)
        for i in range(0, 200, 32):
            idx = perm[i:i+32]
            opt.zero_grad(); loss = torch.nn.functional.cross_entropy(net(tx[idx]), ty[idx]); loss.backward(); opt.step()
    net.eval()
    with torch.no_grad():
        tra = (net(tx).argmax(1) == ty).float().mean().item(); va = (net(vx).argmax(1) == vy).float().mean().item()
    return tra, va
for name, kw in [('none', {}), ('dropout 0.5', {'p': 0.5}), ('L2 1e-3', {'l2': 1e-3}), ('L2 1e-2', {'l2': 1e-2}), ('L2 3e-2', {'l2': 3e-2}), ('L2 1e-1', {'l2': 1e-1})]:
    r = [run(s, **kw) for s in range(3)]
    print(opt_name, name.ljust(12), 'train %.3f val %.3f gap %.3f' % (np.mean([a for a, _ in r]), np.mean([b for _, b in r]), np.mean([a - b for a, b in r])))
