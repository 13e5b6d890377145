/** The dashboard: server-side pages over the status and results queries, for a browser logged in with an API key. */
package io.trawl.jobs.ui;
