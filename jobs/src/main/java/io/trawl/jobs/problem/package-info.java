/** The one decision whether a failure is the caller's, and a failed job's one-line reason. */
package io.trawl.jobs.problem;
