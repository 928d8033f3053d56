#!/usr/bin/env node
// The JavaScript host behind the conformance suite's adapter protocol:
//   airssys-conformance --adapter 'node hosts/js/bin/airssys-js-adapter.mjs'
// `--broken NAME` serves one of the deliberately broken variants instead
// (hosts/js/src/broken.mjs), for the suite's self-proof; `--list-broken`
// prints their names, one a line.

const args = process.argv.slice(2);
if (args.includes('--list-broken')) {
  const { broken } = await import('../src/broken.mjs');
  console.log(Object.keys(broken).join('\n'));
  process.exit(0);
}
const { serve } = await import('../src/adapter.mjs');
const at = args.indexOf('--broken');
if (at < 0) {
  await serve({ name: 'airssys JS host', registration: (r) => r });
} else {
  const { broken } = await import('../src/broken.mjs');
  const name = args[at + 1];
  const defect = broken[name];
  if (!defect) {
    console.error(`no broken host ${JSON.stringify(name)}; there are: ${Object.keys(broken).join(', ')}`);
    process.exit(2);
  }
  await serve({ name: `broken JS host: ${name}`, registration: defect.registration });
}
