/** The REST API: jobs, results pages and exports, the body limit, and every error as an RFC 9457 problem. */
package io.trawl.jobs.web;
