/** The analyzers every sample goes through, and the native hosts that contain crashes of native analyzers. */
package io.trawl.jobs.analysis;
