// Module resolve hook: resolves the bare specifier "v86" (and "v86/...") from this repository's
// node_modules, so the shared peer script ../shared/bench/peers/run-v86.mjs finds the v86 devDependency.
const repoPackageJson = new URL('../../package.json', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'v86' || specifier.startsWith('v86/')) {
    return nextResolve(specifier, { ...context, parentURL: repoPackageJson });
  }
  return nextResolve(specifier, context);
}
