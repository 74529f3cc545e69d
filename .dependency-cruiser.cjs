/**
 * Signalbox's dependency rule: handlers → core ← adapters; only wiring/ picks adapters.
 * `npm run deps:check` prints violations; tests/architecture.test.ts fails the suite on any.
 */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'The domain core imports no AWS SDK, middy, aws-lambda, Next, React or node:http.',
      from: { path: '^functions/src/core/' },
      to: {
        path: [
          '^node_modules/@aws-sdk/',
          '^node_modules/@middy/',
          '^node_modules/@types/aws-lambda/',
          '^node_modules/aws-lambda/',
          '^node_modules/next/',
          '^node_modules/react/',
          '^node_modules/react-dom/',
          '^node_modules/@aws-lambda-powertools/',
          '^http$',
          '^https$',
          '^node:http$',
          '^node:https$',
        ],
      },
    },
    {
      name: 'core-imports-no-outer-layer',
      severity: 'error',
      from: { path: '^functions/src/core/' },
      to: { path: '^functions/src/(adapters|handlers|wiring)/' },
    },
    {
      name: 'only-wiring-imports-adapters',
      severity: 'error',
      comment: 'Only the composition roots (functions/src/wiring/, the agent CLI in functions/src/agent/) may pick an adapter.',
      from: { path: '^(functions/src|local)/', pathNot: ['^functions/src/wiring/', '^functions/src/agent/', '^functions/src/adapters/'] },
      to: { path: '^functions/src/adapters/' },
    },
    {
      name: 'adapters-do-not-import-each-other-across-runtimes',
      severity: 'error',
      from: { path: '^functions/src/adapters/local/' },
      to: { path: '^functions/src/adapters/aws/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(web|cdk\\.out)/' },
  },
};
