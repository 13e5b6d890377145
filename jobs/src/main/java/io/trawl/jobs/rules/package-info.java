/** Compiled YARA rulesets, shared by the jobs that use them: local files and folders, and s3:// rules. */
package io.trawl.jobs.rules;
