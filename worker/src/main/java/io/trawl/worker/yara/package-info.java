/**
 * The YARA analyzer: compiled rulesets and scans through libyara (JNA). A native host rebuilds it from the spec it
 * gives, which names its rules and their version.
 */
package io.trawl.worker.yara;
