// Preloaded with `node --import` before the v86 peer script: installs v86-resolve-hooks.mjs.
// (The peer's own createRequire().resolve("v86/package.json") is served by NODE_PATH, set by engines.mjs.)
import { register } from 'node:module';

register('./v86-resolve-hooks.mjs', import.meta.url);
