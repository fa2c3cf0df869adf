#!/usr/bin/env python3
"""Table from run.sh's output (default $WORK/conv-runs): per cell and target, the medians over
passes of RTNeural's and tinyrnn's ns per call (each pass: the median of its blocks), the
same-pass ratio tinyrnn / RTNeural (median over passes, min-max), and the same ratio from the
1000-call chunk medians. Only same-pass ratios are meaningful on a shared machine."""
import glob, os, re, statistics as st, sys
out = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('WORK', '/tmp/peers') + '/conv-runs'
cells = [f'{k}{n}' for k in ('stack', 'convs') for n in (8, 16, 32)] + ['fcn128']
def parse(path):
    r = {}
    for line in open(path):
        f = line.split()
        if len(f) > 3 and f[2] == 'block_ns':
            i = f.index('|'); r[f[1]] = (st.median(map(float, f[3:i])), float(f[i + 2]))
    return r
passes = sorted({int(re.match(r'p(\d+)_', os.path.basename(p)).group(1)) for p in glob.glob(f'{out}/p*_*.txt')})
data = {(p, i, t): parse(f'{out}/p{p}_{i}_{t}.txt') for p in passes for i in ('rtn', 'trn') for t in ('native', 'default')
        if os.path.exists(f'{out}/p{p}_{i}_{t}.txt')}
full = [p for p in passes if all(len(data.get((p, i, t), {})) >= 6 for i in ('rtn', 'trn') for t in ('native', 'default'))]
print(f'passes used: {len(full)} ({full})')
log = f'{out}/log.txt'
if os.path.exists(log):
    lines = open(log).read().splitlines()
    print(lines[0])
    loads = [float(l.split('load ')[1].split()[0]) for l in lines if l.startswith('pass ')]
    if loads: print(f'1-min load average over the passes: {min(loads):.2f}-{max(loads):.2f} (median {st.median(loads):.2f})')
print()
def fmt(x): return f'{x:.0f}' if x >= 100 else f'{x:.1f}'
for t in ('native', 'default'):
    print(f'### {t} ({"g++ -march=native / RUSTFLAGS=-C target-cpu=native" if t == "native" else "no -march / default x86-64 target"})\n')
    print('| cell | RTNeural ns | tinyrnn ns | tinyrnn/RTNeural (median, min-max) | chunk-median ratio (median, min-max) |')
    print('|---|---|---|---|---|')
    for c in cells:
        ps = [p for p in full if c in data[p, 'rtn', t] and c in data[p, 'trn', t]]
        if not ps: continue
        R = [data[p, 'rtn', t][c][0] for p in ps]; T = [data[p, 'trn', t][c][0] for p in ps]
        rat = [a / b for a, b in zip(T, R)]
        crat = [data[p, 'trn', t][c][1] / data[p, 'rtn', t][c][1] for p in ps]
        print(f'| {c} | {fmt(st.median(R))} | {fmt(st.median(T))} | {st.median(rat):.2f} ({min(rat):.2f}-{max(rat):.2f}) '
              f'| {st.median(crat):.2f} ({min(crat):.2f}-{max(crat):.2f}) |')
    print()
