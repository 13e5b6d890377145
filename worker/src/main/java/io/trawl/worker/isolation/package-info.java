/**
 * Runs the analyzers with native code in child JVMs (native hosts), so that a fault on a hostile sample costs that
 * sample an error, not the job. It recreates any analyzer from its spec and knows none by name. The rest of crash
 * containment (the host pools of a JVM that runs jobs, the supervisor that restarts a crashed job JVM, the careful
 * restart) is {@code io.trawl.jobs.containment} in the jobs module; both are described in docs/crash-containment.md.
 */
package io.trawl.worker.isolation;
