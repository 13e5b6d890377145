/**
 * Crash containment on the jobs side, in one place (docs/crash-containment.md). What it owns:
 * <ul>
 * <li>the native hosts of a JVM that runs jobs: {@link io.trawl.jobs.containment.NativeHostPools}, one pool that
 * loads each ruleset version as a setup, and {@link io.trawl.jobs.containment.NativeHostPrestart}, which starts them
 * while a job command's JVM boots. The host processes themselves, which know no analyzer by name, are
 * {@link io.trawl.worker.isolation};</li>
 * <li>the process around a job: {@link io.trawl.jobs.containment.Supervisor}, plain Java that runs a job command's JVM
 * as a child, tells a crash or an OOM kill from a kill by someone, and restarts the job execution;</li>
 * <li>the careful restart: {@link io.trawl.jobs.containment.PartitionRuns} counts each partition's runs,
 * {@link io.trawl.jobs.containment.CarefulChunk} marks the first chunk's samples of a run that follows an unfinished
 * one, and {@link io.trawl.jobs.containment.CrashEvidence} tells whether the process that died on a sample crashed
 * (a crash log, an OOM kill record) or was killed from outside.</li>
 * </ul>
 * It uses no other package of the jobs module: the job, the analysis and the command line use it.
 */
package io.trawl.jobs.containment;
