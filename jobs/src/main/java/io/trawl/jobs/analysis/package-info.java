/**
 * The analyzers every sample goes through. The native hosts that contain crashes of native analyzers are
 * {@link io.trawl.jobs.containment}'s.
 */
package io.trawl.jobs.analysis;
