import { buildWeb, ensureWebBuilt, WEB_OUT } from './web-build';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`Usage: npm run build:web [-- --if-stale]

Builds the Signalbox portal (Next.js static export) into web/out/, which \`npm start\` serves and
\`npx cdk deploy\` uploads to S3.

  --if-stale   build only when a file under web/ changed since the last build
  --help       this text`);
  process.exit(0);
}
const started = Date.now();
const built = args.includes('--if-stale') ? await ensureWebBuilt() : (await buildWeb(), true);
console.log(built ? `portal built into ${WEB_OUT} in ${((Date.now() - started) / 1000).toFixed(1)} s` : `portal in ${WEB_OUT} is up to date`);
