/**
 * Runs the analyzers with native code in child JVMs (native hosts), so that a fault on a hostile sample costs that
 * sample an error, not the job. It recreates any analyzer from its spec and knows none by name.
 */
package io.trawl.worker.isolation;
