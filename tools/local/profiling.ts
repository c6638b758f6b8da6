/**
 * `LOCAL_CLOUD_CPU_PROF=<dir>`: every thread the local cloud starts (each Lambda execution
 * environment, dynalite) writes a V8 CPU profile (`.cpuprofile`, open in Chrome DevTools or
 * speedscope) into `<dir>` when it exits. Combine with `node --cpu-prof --cpu-prof-dir=<dir>` for
 * the main thread (fauxqs, the event source pollers, the Lambda endpoint). Off by default.
 */
export function workerExecArgv(env: NodeJS.ProcessEnv = process.env): string[] {
  const dir = env.LOCAL_CLOUD_CPU_PROF;
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
}
