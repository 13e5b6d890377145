/** The job status and results queries, from the job repository and the query tables. */
package io.trawl.jobs.status;
