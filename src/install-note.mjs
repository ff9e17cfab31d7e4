// postinstall: one line saying which Node runs Switchyard. npm may run on an older system Node
// (its engine warnings are silenced in .npmrc for that reason); every npm script runs on the
// Node pinned in devDependencies, whose binary npm puts first on the scripts' PATH.
import { execFileSync } from 'node:child_process';

const pinned = process.versions.node;
let system = pinned;
try {
  if (process.env.npm_node_execpath) system = execFileSync(process.env.npm_node_execpath, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
} catch {
  // No way to ask npm's own Node: say only what runs the scripts.
}
const major = Number(pinned.split('.')[0]);
if (major < 24) {
  console.log(`switchyard: Node ${pinned} found, but Switchyard needs Node 24; run npm install again to fetch the pinned one.`);
} else if (system !== pinned) {
  console.log(`switchyard: npm ran on this machine's Node ${system}; npm start, npm test and every other script run on the pinned Node ${pinned}.`);
} else {
  console.log(`switchyard: installed; scripts run on Node ${pinned}.`);
}
