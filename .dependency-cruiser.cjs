// The layering of src/ (docs/ARCHITECTURE.md): a module may import from its own layer and the
// layers below it, never above; no import cycles. `npm test` checks it (test/unit/layers.test.ts).
const LAYERS = [
  ['errors.ts', 'version.ts', 'io', 'engine', 'config', 'plugins'],
  ['workload', 'metrics', 'profiles', 'pipeline'],
  ['predictors', 'adapters'],
  ['scenario'],
  ['kinds'],
  ['sweep', 'experiments', 'figures', 'testbed'],
  ['cli', 'index.ts'],
];
const path = (parts) => `^src/(${parts.map((p) => p.replace('.', '\\.')).join('|')})`;

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'import cycles make layers meaningless', from: {}, to: { circular: true } },
    ...LAYERS.slice(0, -1).map((layer, i) => ({
      name: `layer-${i}-not-above`,
      severity: 'error',
      comment: `${layer.join(', ')} may not import from a higher layer`,
      from: { path: path(layer) },
      to: { path: path(LAYERS.slice(i + 1).flat()) },
    })),
    {
      name: 'kinds-apart',
      severity: 'error',
      comment: 'a scenario kind may not import another kind: share code through scenario/ or a lower layer',
      from: { path: '^src/kinds/([^/]+)/' },
      to: { path: '^src/kinds/', pathNot: ['^src/kinds/$1/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
